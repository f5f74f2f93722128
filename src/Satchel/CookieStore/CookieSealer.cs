using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Satchel;

/// <summary>
/// Seals a session record into a cookie value and opens it again: AES-256-GCM under a key derived
/// (HKDF-SHA256) from each configured secret, so the first secret seals and every secret opens
/// (rotation). The associated data binds a value to its cookie's name and to the session's key, so
/// a value moved to another cookie, or paired with another session's token, does not open.
/// Layout, base64url: version byte, 12-byte random nonce, ciphertext, 16-byte tag.
/// </summary>
internal sealed class CookieSealer : IDisposable
{
    private const byte Version = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int Overhead = 1 + NonceLength + TagLength;
    private static readonly byte[] Purpose = Encoding.ASCII.GetBytes("Satchel cookie store AES-256-GCM v1");

    private readonly byte[][] _keys;
    private readonly byte[] _name;

    // An AES-GCM instance per key and thread: keying one costs more than a small seal.
    private readonly ThreadLocal<AesGcm[]> _ciphers;

    public CookieSealer(IEnumerable<string> secrets, string cookieName)
    {
        _keys = SessionKeyRing.DeriveKeys(secrets, Purpose);
        _name = Encoding.UTF8.GetBytes(cookieName);
        _ciphers = new(() => [.. _keys.Select(k => new AesGcm(k, TagLength))], trackAllValues: true);
    }

    public void Dispose()
    {
        foreach (var ciphers in _ciphers.Values)
        {
            foreach (var cipher in ciphers) cipher.Dispose();
        }
        _ciphers.Dispose();
    }

    /// <summary>Length of the sealed text of a plaintext this long.</summary>
    public static int SealedLength(int plaintextLength) => Base64Url.GetEncodedLength(Overhead + plaintextLength);

    public string Seal(ReadOnlySpan<byte> plaintext, SessionKey key)
    {
        var sealedBytes = new byte[Overhead + plaintext.Length];
        sealedBytes[0] = Version;
        var nonce = sealedBytes.AsSpan(1, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        _ciphers.Value![0].Encrypt(nonce, plaintext, sealedBytes.AsSpan(1 + NonceLength, plaintext.Length), sealedBytes.AsSpan(1 + NonceLength + plaintext.Length), AssociatedData(key));
        return Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>Opens a sealed value; <see langword="false"/> for anything not sealed by a key of the ring for this cookie and session.</summary>
    public bool TryOpen(ReadOnlySpan<char> value, SessionKey key, out byte[] plaintext, out bool sealedWithCurrentKey)
    {
        plaintext = [];
        sealedWithCurrentKey = false;
        if (value.Length < SealedLength(0) || value.Length > SessionCookie.BrowserLimit) return false;
        if (!Base64Url.IsValid(value, out var decodedLength) || decodedLength < Overhead) return false;
        var sealedBytes = new byte[decodedLength];
        if (!Base64Url.TryDecodeFromChars(value, sealedBytes, out var length) || length != decodedLength || sealedBytes[0] != Version) return false;
        var nonce = sealedBytes.AsSpan(1, NonceLength);
        var cipher = sealedBytes.AsSpan(1 + NonceLength, length - Overhead);
        var tag = sealedBytes.AsSpan(1 + NonceLength + cipher.Length, TagLength);
        var associated = AssociatedData(key);
        var opened = new byte[cipher.Length];
        var ciphers = _ciphers.Value!;
        for (var k = 0; k < ciphers.Length; k++)
        {
            try
            {
                ciphers[k].Decrypt(nonce, cipher, tag, opened, associated);
            }
            catch (AuthenticationTagMismatchException)
            {
                continue;
            }
            plaintext = opened;
            sealedWithCurrentKey = k == 0;
            return true;
        }
        return false;
    }

    private byte[] AssociatedData(SessionKey key)
    {
        var data = new byte[_name.Length + 1 + SessionKey.ByteLength];
        _name.CopyTo(data, 0);
        key.CopyTo(data.AsSpan(_name.Length + 1));
        return data;
    }
}
