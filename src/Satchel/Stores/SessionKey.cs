using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Satchel.Stores;

/// <summary>
/// The key a store files a session under: the SHA-256 of the session's token, never the token
/// itself, so a dump of the store holds nothing a client could replay. Its text form is 43
/// characters of base64url; <see cref="Id"/> is the short, non-secret handle shown in logs.
/// Held as 32 bytes inline, so it costs no allocation to pass around or to use as a dictionary key.
/// </summary>
public readonly struct SessionKey : IEquatable<SessionKey>
{
    /// <summary>Bytes in a key (a SHA-256).</summary>
    public const int ByteLength = 32;

    /// <summary>Characters of <see cref="ToString()"/>: base64url without padding.</summary>
    public const int TextLength = 43;

    /// <summary>Characters of <see cref="Id"/>: 96 bits of the hash, enough to tell sessions apart.</summary>
    public const int IdLength = 16;

    private readonly ulong _a, _b, _c, _d;

    private SessionKey(ReadOnlySpan<byte> bytes)
    {
        _a = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        _b = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]);
        _c = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        _d = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]);
    }

    /// <summary>A key from its 32 bytes (as a store that keeps keys in binary reads them back).</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 32 bytes long.</exception>
    public static SessionKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength) throw new ArgumentException($"A session key is {ByteLength} bytes, not {bytes.Length}.", nameof(bytes));
        return new SessionKey(bytes);
    }

    /// <summary>Reads a key's text form (<see cref="ToString()"/>); <see langword="false"/> for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out SessionKey key)
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        // IsValid first: TryDecodeFromChars throws on characters outside the alphabet.
        if (text is { Length: TextLength } && Base64Url.IsValid(text, out var length) && length == ByteLength
            && Base64Url.TryDecodeFromChars(text, bytes, out var written) && written == ByteLength)
        {
            key = new SessionKey(bytes);
            return true;
        }
        key = default;
        return false;
    }

    /// <summary>Reads a key's text form (<see cref="ToString()"/>).</summary>
    /// <exception cref="FormatException"><paramref name="text"/> is not a session key.</exception>
    public static SessionKey Parse(string text) =>
        TryParse(text, out var key) ? key : throw new FormatException("A session key is 43 characters of base64url (the SHA-256 of a session token).");

    /// <summary>The key of a session token: its SHA-256.</summary>
    internal static SessionKey FromToken(ReadOnlySpan<char> token)
    {
        Span<byte> ascii = stackalloc byte[token.Length];
        Encoding.ASCII.GetBytes(token, ascii);
        Span<byte> hash = stackalloc byte[ByteLength];
        SHA256.HashData(ascii, hash);
        return new SessionKey(hash);
    }

    /// <summary>The short, non-secret handle of the session (<see cref="Session.Id"/>): safe for logs and admin pages.</summary>
    public string Id
    {
        get
        {
            Span<byte> bytes = stackalloc byte[ByteLength];
            CopyTo(bytes);
            return Base64Url.EncodeToString(bytes[..12]);
        }
    }

    /// <summary>Writes the key's 32 bytes into <paramref name="destination"/>.</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _a);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _d);
    }

    /// <summary>64 bits of the hash, already uniform: for picking a shard or a slot.</summary>
    internal ulong Low => _a;

    internal ulong High => _b;

    /// <summary>The key's text form: 43 characters of base64url.</summary>
    public override string ToString() => string.Create(TextLength, this, static (span, key) => key.TryFormat(span, out _));

    /// <summary>Writes <see cref="ToString()"/> into <paramref name="destination"/>, for building store key names without a copy.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        Span<byte> bytes = stackalloc byte[ByteLength];
        CopyTo(bytes);
        return Base64Url.TryEncodeToChars(bytes, destination, out charsWritten);
    }

    /// <inheritdoc />
    public bool Equals(SessionKey other) => _a == other._a && _b == other._b && _c == other._c && _d == other._d;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SessionKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)_a;

    /// <summary>Whether two keys are the same.</summary>
    public static bool operator ==(SessionKey left, SessionKey right) => left.Equals(right);

    /// <summary>Whether two keys differ.</summary>
    public static bool operator !=(SessionKey left, SessionKey right) => !left.Equals(right);
}
