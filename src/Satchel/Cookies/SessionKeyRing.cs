using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Satchel;

/// <summary>
/// Signs cookie values with HMAC-SHA256. The first key signs; every key verifies, in constant
/// time, so keys rotate without logging anyone out.
/// </summary>
internal sealed class SessionKeyRing : IDisposable
{
    private const int SignatureLength = 43;
    private static readonly byte[] Purpose = Encoding.ASCII.GetBytes("Satchel session cookie signature v1");

    private readonly byte[][] _keys;

    // A keyed HMAC per key and thread, reset after each use: cheaper than keying one per call.
    private readonly ThreadLocal<IncrementalHash[]> _hmacs;

    private SessionKeyRing(byte[][] keys)
    {
        _keys = keys;
        _hmacs = new(() => [.. _keys.Select(k => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, k))], trackAllValues: true);
    }

    public void Dispose()
    {
        foreach (var hmacs in _hmacs.Values)
        {
            foreach (var hmac in hmacs) hmac.Dispose();
        }
        _hmacs.Dispose();
    }

    /// <summary>Length of a signed cookie value: token, '.', signature.</summary>
    public const int SignedLength = SessionToken.Length + 1 + SignatureLength;

    public static SessionKeyRing FromSecrets(IEnumerable<string> secrets)
    {
        var keys = DeriveKeys(secrets, Purpose);
        if (keys.Length == 0) throw new ArgumentException("At least one secret is needed.", nameof(secrets));
        return new SessionKeyRing(keys);
    }

    /// <summary>
    /// A 256-bit key per secret for one <paramref name="purpose"/> (HKDF-SHA256): each primitive a
    /// secret keys — signing here, the cookie store's encryption — gets a key of its own.
    /// </summary>
    public static byte[][] DeriveKeys(IEnumerable<string> secrets, byte[] purpose) =>
        [.. secrets.Select(s => HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(s), 32, info: purpose))];

    public static SessionKeyRing Random() => new([RandomNumberGenerator.GetBytes(32)]);

    public string Sign(string token)
    {
        Span<byte> ascii = stackalloc byte[SessionToken.Length];
        Encoding.ASCII.GetBytes(token, ascii);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Mac(0, ascii, mac);
        return string.Create(SignedLength, (token, mac: mac.ToArray()), static (span, s) =>
        {
            s.token.AsSpan().CopyTo(span);
            span[SessionToken.Length] = '.';
            Base64Url.EncodeToChars(s.mac, span[(SessionToken.Length + 1)..]);
        });
    }

    /// <summary>Checks a cookie value; gives the token when a key of the ring signed it.</summary>
    public bool TryVerify(ReadOnlySpan<char> cookieValue, out string token) => TryVerify(cookieValue, out token, out _);

    /// <summary>Signatures checked so far (for tests: how much work a hostile header costs).</summary>
    internal long Verifications => Interlocked.Read(ref _verifications);

    private long _verifications;

    /// <summary>
    /// Checks a cookie value; gives the token when a key of the ring signed it, and whether that key
    /// is the current one (not a retired key kept only to verify).
    /// </summary>
    public bool TryVerify(ReadOnlySpan<char> cookieValue, out string token, out bool signedWithCurrentKey)
    {
        token = "";
        signedWithCurrentKey = false;
        if (cookieValue.Length != SignedLength || cookieValue[SessionToken.Length] != '.') return false;
        var tokenChars = cookieValue[..SessionToken.Length];
        if (!SessionToken.IsWellFormed(tokenChars)) return false;

        // Compare the signature as text: base64url's spare bits let two spellings decode alike.
        Span<byte> presented = stackalloc byte[SignatureLength];
        var signature = cookieValue[(SessionToken.Length + 1)..];
        for (var i = 0; i < SignatureLength; i++)
        {
            if (signature[i] > 127) return false;
            presented[i] = (byte)signature[i];
        }

        Span<byte> ascii = stackalloc byte[SessionToken.Length];
        Encoding.ASCII.GetBytes(tokenChars, ascii);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> expected = stackalloc byte[SignatureLength];
        Interlocked.Increment(ref _verifications);
        var match = false;
        for (var k = 0; k < _keys.Length; k++)
        {
            Mac(k, ascii, mac);
            Base64Url.EncodeToUtf8(mac, expected);
            // Check every key, so timing does not tell which one matched.
            var matches = CryptographicOperations.FixedTimeEquals(expected, presented);
            if (k == 0) signedWithCurrentKey = matches;
            match |= matches;
        }
        if (match) token = tokenChars.ToString();
        return match;
    }

    private void Mac(int key, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        var hmac = _hmacs.Value![key];
        hmac.AppendData(data);
        hmac.GetHashAndReset(mac);
    }
}
