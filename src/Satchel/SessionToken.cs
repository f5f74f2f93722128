using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Satchel;

/// <summary>
/// Session tokens: 256 random bits in base64url. The token is the client's secret; the store sees
/// only its SHA-256 hash, and logs see only <see cref="IdFromStoreKey"/>, a prefix of that hash.
/// </summary>
internal static class SessionToken
{
    /// <summary>Random bytes in a token (256 bits).</summary>
    public const int ByteLength = 32;

    /// <summary>Characters of a token in base64url without padding.</summary>
    public const int Length = 43;

    /// <summary>Characters of <see cref="Session.Id"/>: 96 bits of the hash, enough to tell sessions apart.</summary>
    public const int IdLength = 16;

    public static string NewToken()
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The key a store files the session under: base64url(SHA-256(token)).</summary>
    public static string StoreKey(string token)
    {
        Span<byte> ascii = stackalloc byte[Length];
        var written = Encoding.ASCII.GetBytes(token, ascii);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(ascii[..written], hash);
        return Base64Url.EncodeToString(hash);
    }

    public static string IdFromStoreKey(string storeKey) => storeKey[..IdLength];

    public static bool IsWellFormed(ReadOnlySpan<char> token) =>
        token.Length == Length && Base64Url.IsValid(token, out var decoded) && decoded == ByteLength;
}
