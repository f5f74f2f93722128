using System.Buffers;
using System.Buffers.Text;
using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Satchel;

/// <summary>
/// A session's values packed into one byte array — [length][UTF-8 key][length][JSON value] per
/// entry, from <c>start</c> to the end of the array — so an idle session in the memory store costs
/// no dictionary, node, string or array per value. Read as a dictionary by scanning: sessions hold few keys.
/// </summary>
internal sealed class PackedValues(byte[] buffer, int start) : IReadOnlyDictionary<string, byte[]>
{
    public int Count
    {
        get
        {
            var count = 0;
            for (var reader = new Reader(buffer, start); reader.Next(); ) count++;
            return count;
        }
    }

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<byte[]> Values => this.Select(p => p.Value);

    public byte[] this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => Find(key, out _, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out byte[] value)
    {
        if (Find(key, out var valueStart, out var length))
        {
            value = buffer.AsSpan(valueStart, length).ToArray();
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>The value of <paramref name="key"/> where it lies in the buffer, without a copy.</summary>
    public bool TryGetSpan(string key, out ReadOnlySpan<byte> value)
    {
        var found = Find(key, out var valueStart, out var length);
        value = found ? buffer.AsSpan(valueStart, length) : default;
        return found;
    }

    public IEnumerator<KeyValuePair<string, byte[]>> GetEnumerator()
    {
        var reader = new Reader(buffer, start);
        while (reader.Next())
            yield return new(Encoding.UTF8.GetString(buffer, reader.KeyStart, reader.KeyLength), buffer.AsSpan(reader.ValueStart, reader.ValueLength).ToArray());
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Writes the packed <paramref name="current"/> values with <paramref name="changes"/> applied (null removes a key).</summary>
    public static void WriteApplied(IBufferWriter<byte> into, ReadOnlySpan<byte> current, IReadOnlyDictionary<string, byte[]?> changes)
    {
        // Keep each current entry the change leaves alone, bytes as they are.
        for (var position = 0; position < current.Length; )
        {
            var entryStart = position;
            var keyLength = ReadLength(current, ref position);
            var key = current.Slice(position, keyLength);
            position += keyLength;
            var valueLength = ReadLength(current, ref position);
            position += valueLength;
            if (changes.Count == 0 || !Changed(key, changes)) into.Write(current[entryStart..position]);
        }
        foreach (var (key, value) in changes)
        {
            if (value is null) continue;
            var keyLength = Encoding.UTF8.GetByteCount(key);
            var span = into.GetSpan(keyLength + value.Length + 10);
            var n = WriteLength(span, keyLength);
            n += Encoding.UTF8.GetBytes(key, span[n..]);
            n += WriteLength(span[n..], value.Length);
            value.CopyTo(span[n..]);
            into.Advance(n + value.Length);
        }
    }

    private static bool Changed(ReadOnlySpan<byte> key, IReadOnlyDictionary<string, byte[]?> changes)
    {
        // ASCII keys (nearly all) compare without decoding.
        if (!Ascii.IsValid(key)) return changes.ContainsKey(Encoding.UTF8.GetString(key));
        foreach (var changed in changes.Keys)
        {
            if (Ascii.Equals(key, changed)) return true;
        }
        return false;
    }

    private bool Find(string key, out int valueStart, out int length)
    {
        ArgumentNullException.ThrowIfNull(key);
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> keyBytes = max <= 512 ? stackalloc byte[max] : new byte[max];
        keyBytes = keyBytes[..Encoding.UTF8.GetBytes(key, keyBytes)];
        for (var reader = new Reader(buffer, start); reader.Next(); )
        {
            if (buffer.AsSpan(reader.KeyStart, reader.KeyLength).SequenceEqual(keyBytes))
            {
                (valueStart, length) = (reader.ValueStart, reader.ValueLength);
                return true;
            }
        }
        (valueStart, length) = (0, 0);
        return false;
    }

    internal static int WriteLength(Span<byte> into, int value)
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

    internal static int ReadLength(ReadOnlySpan<byte> from, ref int position)
    {
        var value = 0;
        var shift = 0;
        byte b;
        do
        {
            b = from[position++];
            value |= (b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        return value;
    }

    private struct Reader(byte[] buffer, int start)
    {
        private int _position = start;

        public int KeyStart { get; private set; }
        public int KeyLength { get; private set; }
        public int ValueStart { get; private set; }
        public int ValueLength { get; private set; }

        public bool Next()
        {
            if (_position >= buffer.Length) return false;
            KeyLength = ReadLength(buffer, ref _position);
            KeyStart = _position;
            _position += KeyLength;
            ValueLength = ReadLength(buffer, ref _position);
            ValueStart = _position;
            _position += ValueLength;
            return true;
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
