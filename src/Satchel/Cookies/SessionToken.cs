using System.Buffers.Text;
using System.Security.Cryptography;

namespace Satchel;

/// <summary>
/// Session tokens: 256 random bits in base64url. The token is the client's secret; the store sees
/// only its SHA-256 (<see cref="SessionKey"/>), and logs see only <see cref="SessionKey.Id"/>.
/// </summary>
internal static class SessionToken
{
    /// <summary>Random bytes in a token (256 bits).</summary>
    public const int ByteLength = 32;

    /// <summary>Characters of a token in base64url without padding.</summary>
    public const int Length = 43;

    public static string NewToken()
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    public static bool IsWellFormed(ReadOnlySpan<char> token) =>
        token.Length == Length && Base64Url.IsValid(token, out var decoded) && decoded == ByteLength;
}
