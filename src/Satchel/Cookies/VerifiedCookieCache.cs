using System.Runtime.InteropServices;

namespace Satchel;

/// <summary>
/// Remembers cookie values that verified, with their store keys, so a browser's next request
/// skips the HMAC and the SHA-256 (about 0.9 µs and 224 bytes). Only values that verified get in,
/// and a verified value maps to the same token forever, so a hit can never accept what the key
/// ring would refuse; the cache belongs to one key ring, so rotating keys starts a new one.
/// <para>
/// Laid out for the hot path: a fixed array of slots, two per set, each holding one immutable
/// entry (the whole cookie value, its token and store key). The set comes from the value's first
/// characters — the token's random ones — so a lookup hashes nothing, touches one slot pair, one
/// entry and its string, and compares the whole value. A slot changes by one reference write, so
/// a concurrent reader sees an old entry or a new one, never a mix. Bounded by construction: a new
/// entry pushes out the older of its set. Values from clients pick sets freely, but only values
/// that verified are ever stored, so guessing a set gains nothing.
/// </para>
/// </summary>
internal sealed class VerifiedCookieCache
{
    /// <summary>Entries the cache can hold.</summary>
    public const int Capacity = 8192;

    private const int HashedChars = 8;
    private readonly Verified?[] _slots = new Verified?[Capacity];

    /// <summary>Entries held (counts the slots: for tests and diagnostics, not the hot path).</summary>
    public int Count => _slots.Count(s => s is not null);

    public bool TryGet(ReadOnlySpan<char> cookieValue, out Verified verified)
    {
        if (cookieValue.Length >= HashedChars)
        {
            var set = SetOf(cookieValue);
            if (Volatile.Read(ref _slots[set]) is { } first && cookieValue.SequenceEqual(first.CookieValue))
            {
                verified = first;
                return true;
            }
            if (Volatile.Read(ref _slots[set + 1]) is { } second && cookieValue.SequenceEqual(second.CookieValue))
            {
                verified = second;
                return true;
            }
        }
        verified = null!;
        return false;
    }

    public Verified Add(ReadOnlySpan<char> cookieValue, string token, SessionKey key, bool signedWithRetiredKey = false)
    {
        var verified = new Verified(cookieValue.ToString(), token, key, signedWithRetiredKey);
        if (cookieValue.Length < HashedChars) return verified;
        var set = SetOf(cookieValue);
        // The newest entry goes first; the one it displaces becomes the set's second.
        var displaced = Volatile.Read(ref _slots[set]);
        if (displaced is not null && !cookieValue.SequenceEqual(displaced.CookieValue)) Volatile.Write(ref _slots[set + 1], displaced);
        Volatile.Write(ref _slots[set], verified);
        return verified;
    }

    // The first slot of the value's set: its first 8 characters (16 bytes) mixed into an even index.
    private static int SetOf(ReadOnlySpan<char> cookieValue)
    {
        var bytes = MemoryMarshal.AsBytes(cookieValue[..HashedChars]);
        var h = (MemoryMarshal.Read<ulong>(bytes) ^ (MemoryMarshal.Read<ulong>(bytes[8..]) * 0x9E3779B97F4A7C15UL)) * 0xBF58476D1CE4E5B9UL;
        return (int)(h >> (64 - 12)) * 2;   // 4,096 sets of two
    }

    /// <summary>One verified cookie value and what it stands for. Immutable: slots share it safely.</summary>
    internal sealed class Verified(string cookieValue, string token, SessionKey key, bool signedWithRetiredKey) : SessionIdentity(token, key)
    {
        /// <summary>Signed by a key kept only to verify: the session's next response re-signs it with the current key.</summary>
        public bool SignedWithRetiredKey { get; } = signedWithRetiredKey;

        public string CookieValue { get; } = cookieValue;

    }
}
