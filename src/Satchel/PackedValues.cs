using System.Buffers;
using System.Buffers.Text;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Satchel;

/// <summary>
/// A session's values packed into one byte array — [length][UTF-8 key][length][JSON value] per
/// entry — so an idle session in the memory store costs one small object instead of a dictionary
/// with a node, a string and an array per value. Read as a dictionary by scanning: sessions hold few keys.
/// </summary>
internal sealed class PackedValues(byte[] packed) : IReadOnlyDictionary<string, byte[]>
{
    public static readonly PackedValues Empty = new([]);

    public byte[] Packed => packed;

    public int Count
    {
        get
        {
            var count = 0;
            for (var reader = new Reader(packed); reader.Next(); ) count++;
            return count;
        }
    }

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<byte[]> Values => this.Select(p => p.Value);

    public byte[] this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => Find(key, out _, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out byte[] value)
    {
        if (Find(key, out var start, out var length))
        {
            value = packed.AsSpan(start, length).ToArray();
            return true;
        }
        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, byte[]>> GetEnumerator()
    {
        var reader = new Reader(packed);
        while (reader.Next())
            yield return new(Encoding.UTF8.GetString(packed, reader.KeyStart, reader.KeyLength), packed.AsSpan(reader.ValueStart, reader.ValueLength).ToArray());
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>These values with <paramref name="changes"/> applied (null removes a key), packed anew.</summary>
    public static byte[] Apply(PackedValues current, IReadOnlyDictionary<string, byte[]?> changes)
    {
        var buffer = new ArrayBufferWriter<byte>(current.Packed.Length + 64);
        // Keep each current entry the change leaves alone, bytes as they are.
        for (var reader = new Reader(current.Packed); reader.Next(); )
        {
            var key = Encoding.UTF8.GetString(current.Packed, reader.KeyStart, reader.KeyLength);
            if (changes.ContainsKey(key)) continue;
            Write(buffer, current.Packed.AsSpan(reader.KeyStart, reader.KeyLength), current.Packed.AsSpan(reader.ValueStart, reader.ValueLength));
        }
        foreach (var (key, value) in changes)
        {
            if (value is not null) Write(buffer, Encoding.UTF8.GetBytes(key), value);
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var span = buffer.GetSpan(key.Length + value.Length + 10);
        var n = WriteLength(span, key.Length);
        key.CopyTo(span[n..]);
        n += key.Length;
        n += WriteLength(span[n..], value.Length);
        value.CopyTo(span[n..]);
        buffer.Advance(n + value.Length);
    }

    private bool Find(string key, out int start, out int length)
    {
        ArgumentNullException.ThrowIfNull(key);
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> keyBytes = max <= 512 ? stackalloc byte[max] : new byte[max];
        keyBytes = keyBytes[..Encoding.UTF8.GetBytes(key, keyBytes)];
        for (var reader = new Reader(packed); reader.Next(); )
        {
            if (packed.AsSpan(reader.KeyStart, reader.KeyLength).SequenceEqual(keyBytes))
            {
                (start, length) = (reader.ValueStart, reader.ValueLength);
                return true;
            }
        }
        (start, length) = (0, 0);
        return false;
    }

    private static int WriteLength(Span<byte> into, int value)
    {
        var n = 0;
        var v = (uint)value;
        while (v >= 0x80)
        {
            into[n++] = (byte)(v | 0x80);
            v >>= 7;
        }
        into[n++] = (byte)v;
        return n;
    }

    private struct Reader(byte[] packed)
    {
        private int _position;

        public int KeyStart { get; private set; }
        public int KeyLength { get; private set; }
        public int ValueStart { get; private set; }
        public int ValueLength { get; private set; }

        public bool Next()
        {
            if (_position >= packed.Length) return false;
            KeyLength = ReadLength();
            KeyStart = _position;
            _position += KeyLength;
            ValueLength = ReadLength();
            ValueStart = _position;
            _position += ValueLength;
            return true;
        }

        private int ReadLength()
        {
            var value = 0;
            var shift = 0;
            byte b;
            do
            {
                b = packed[_position++];
                value |= (b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            return value;
        }
    }
}

/// <summary>A store key (base64url SHA-256) as 32 bytes inline: a dictionary key with no string behind it.</summary>
internal readonly record struct StoreKey(ulong A, ulong B, ulong C, ulong D)
{
    public static StoreKey Parse(string key)
    {
        Span<byte> bytes = stackalloc byte[32];
        if (key.Length != SessionToken.Length || !Base64Url.TryDecodeFromChars(key, bytes, out var written) || written != 32)
            throw new ArgumentException("Store keys are the base64url SHA-256 of a session token.", nameof(key));
        return new(BitConverter.ToUInt64(bytes), BitConverter.ToUInt64(bytes[8..]), BitConverter.ToUInt64(bytes[16..]), BitConverter.ToUInt64(bytes[24..]));
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[32];
        BitConverter.TryWriteBytes(bytes, A);
        BitConverter.TryWriteBytes(bytes[8..], B);
        BitConverter.TryWriteBytes(bytes[16..], C);
        BitConverter.TryWriteBytes(bytes[24..], D);
        return Base64Url.EncodeToString(bytes);
    }
}
