using System.Buffers;
using System.Text;

namespace Satchel.Stores;

/// <summary>
/// The byte format of a session's values, <c>[length][UTF-8 key][length][JSON value]</c> per entry
/// with lengths as 7-bit varints, so a whole session is one array: no dictionary, node, string or
/// array per value. Read by scanning, since sessions hold few keys.
/// </summary>
internal static class PackedValues
{
    /// <summary>Counts the entries of <paramref name="packed"/>, checking that every length fits.</summary>
    /// <exception cref="FormatException">The bytes are not packed values.</exception>
    public static int CountAndValidate(ReadOnlySpan<byte> packed)
    {
        var count = 0;
        for (var position = 0; position < packed.Length; count++)
        {
            if (!TryReadLength(packed, ref position, out var keyLength) || keyLength > packed.Length - position) throw Corrupt();
            position += keyLength;
            if (!TryReadLength(packed, ref position, out var valueLength) || valueLength > packed.Length - position) throw Corrupt();
            position += valueLength;
        }
        return count;
    }

    /// <summary>The value of <paramref name="key"/> where it lies in <paramref name="packed"/>.</summary>
    public static bool TryFind(ReadOnlySpan<byte> packed, string key, out int valueStart, out int valueLength)
    {
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> keyBytes = max <= 512 ? stackalloc byte[max] : new byte[max];
        keyBytes = keyBytes[..Encoding.UTF8.GetBytes(key, keyBytes)];
        for (var reader = new Reader(packed); reader.Next(); )
        {
            if (packed.Slice(reader.KeyStart, reader.KeyLength).SequenceEqual(keyBytes))
            {
                (valueStart, valueLength) = (reader.ValueStart, reader.ValueLength);
                return true;
            }
        }
        (valueStart, valueLength) = (0, 0);
        return false;
    }

    /// <summary>Writes one entry.</summary>
    public static void Write(IBufferWriter<byte> into, ReadOnlySpan<char> key, ReadOnlySpan<byte> value)
    {
        var keyLength = Encoding.UTF8.GetByteCount(key);
        var span = into.GetSpan(keyLength + value.Length + 10);
        var n = WriteLength(span, keyLength);
        n += Encoding.UTF8.GetBytes(key, span[n..]);
        n += WriteLength(span[n..], value.Length);
        value.CopyTo(span[n..]);
        into.Advance(n + value.Length);
    }

    /// <summary>Writes the packed <paramref name="current"/> values with <paramref name="changes"/> applied (null removes a key).</summary>
    public static void WriteApplied(IBufferWriter<byte> into, ReadOnlySpan<byte> current, IReadOnlyDictionary<string, byte[]?> changes)
    {
        // The core's own change sets (every commit) are read in place; another dictionary (a
        // store's, a caller's) is copied out once. Keys compare ordinally, as the core makes them.
        ReadOnlySpan<KeyValuePair<string, byte[]?>> entries = changes is ValueChanges own ? own.Entries : [.. changes];
        // Keep each current entry the change leaves alone, bytes as they are.
        for (var reader = new Reader(current); reader.Next(); )
        {
            if (entries.IsEmpty || !Changed(current.Slice(reader.KeyStart, reader.KeyLength), entries))
                into.Write(current[reader.EntryStart..(reader.ValueStart + reader.ValueLength)]);
        }
        foreach (var (key, value) in entries)
        {
            if (value is not null) Write(into, key, value);
        }
    }

    private static bool Changed(ReadOnlySpan<byte> key, ReadOnlySpan<KeyValuePair<string, byte[]?>> changes)
    {
        // ASCII keys (nearly all) compare without decoding.
        var ascii = Ascii.IsValid(key);
        var decoded = ascii ? null : Encoding.UTF8.GetString(key);
        foreach (var changed in changes)
        {
            if (ascii ? Ascii.Equals(key, changed.Key) : string.Equals(decoded, changed.Key, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    public static int WriteLength(Span<byte> into, int value)
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

    public static int ReadLength(ReadOnlySpan<byte> from, ref int position) =>
        TryReadLength(from, ref position, out var value) ? value : throw Corrupt();

    private static bool TryReadLength(ReadOnlySpan<byte> from, ref int position, out int value)
    {
        value = 0;
        for (var shift = 0; shift < 32 && position < from.Length; shift += 7)
        {
            var b = from[position++];
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value >= 0;
        }
        return false;
    }

    private static FormatException Corrupt() => new("The session's values are not in Satchel's packed format (a length runs past the end).");

    /// <summary>Walks the entries of packed values (already validated).</summary>
    public ref struct Reader(ReadOnlySpan<byte> packed)
    {
        private readonly ReadOnlySpan<byte> _packed = packed;
        private int _position;

        public int EntryStart { get; private set; }
        public int KeyStart { get; private set; }
        public int KeyLength { get; private set; }
        public int ValueStart { get; private set; }
        public int ValueLength { get; private set; }

        public bool Next()
        {
            if (_position >= _packed.Length) return false;
            EntryStart = _position;
            KeyLength = ReadLength(_packed, ref _position);
            KeyStart = _position;
            _position += KeyLength;
            ValueLength = ReadLength(_packed, ref _position);
            ValueStart = _position;
            _position += ValueLength;
            return true;
        }
    }
}
