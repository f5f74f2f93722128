using System.Buffers;
using System.Text;

namespace Satchel.Stores;

/// <summary>
/// A session as a store holds it: metadata, last access and values. Immutable, and owned by the
/// core: a store builds one from its own bytes — whole (<see cref="SessionRecord(SessionMetadata, DateTimeOffset, ReadOnlyMemory{byte}, bool)"/>
/// with <see cref="PackedValues"/> it stored) or key by key (<see cref="FromValues"/>) — and
/// <see cref="Session"/> reads values in place from it, whatever the store. Values are UTF-8 JSON.
/// </summary>
public sealed class SessionRecord
{
    /// <summary>A record over values in Satchel's packed format, as <see cref="PackedValues"/> gave them. Not copied: keep the memory unchanged.</summary>
    /// <param name="metadata">Created, lifetimes and user.</param>
    /// <param name="lastAccess">The last time the session was written or its expiry refreshed.</param>
    /// <param name="packedValues">The values, as some record's <see cref="PackedValues"/> held them.</param>
    /// <param name="touched">Whether the load that made this record refreshed the expiry (see <see cref="ISessionStore.LoadAsync"/>).</param>
    /// <exception cref="FormatException"><paramref name="packedValues"/> is not in the packed format.</exception>
    public SessionRecord(SessionMetadata metadata, DateTimeOffset lastAccess, ReadOnlyMemory<byte> packedValues, bool touched = false)
        : this(metadata ?? throw new ArgumentNullException(nameof(metadata)), default, null, lastAccess, packedValues, touched)
    {
    }

    /// <summary>
    /// A record whose metadata stays in the store's own bytes until someone asks for it (most
    /// requests never do), so a load allocates the record alone: for a store that keeps a session
    /// as one blob in its own layout, as the memory store does.
    /// </summary>
    /// <param name="source">The store's bytes holding the metadata. Not copied: keep the memory unchanged.</param>
    /// <param name="readMetadata">Reads the metadata from <paramref name="source"/> when it is first asked for. A static lambda allocates nothing.</param>
    /// <param name="lastAccess">The last time the session was written or its expiry refreshed.</param>
    /// <param name="packedValues">The values, as some record's <see cref="PackedValues"/> held them.</param>
    /// <param name="touched">Whether the load that made this record refreshed the expiry.</param>
    /// <exception cref="FormatException"><paramref name="packedValues"/> is not in the packed format.</exception>
    public static SessionRecord WithDeferredMetadata(ReadOnlyMemory<byte> source, Func<ReadOnlyMemory<byte>, SessionMetadata> readMetadata, DateTimeOffset lastAccess, ReadOnlyMemory<byte> packedValues, bool touched = false)
    {
        ArgumentNullException.ThrowIfNull(readMetadata);
        return new(null, source, readMetadata, lastAccess, packedValues, touched);
    }

    // Either the metadata, or the bytes it is read from on first use.
    private SessionRecord(SessionMetadata? metadata, ReadOnlyMemory<byte> source, Func<ReadOnlyMemory<byte>, SessionMetadata>? readMetadata, DateTimeOffset lastAccess, ReadOnlyMemory<byte> packedValues, bool touched)
    {
        _metadata = metadata;
        _source = source;
        _readMetadata = readMetadata;
        LastAccess = lastAccess;
        PackedValues = packedValues;
        Touched = touched;
        Count = Satchel.Stores.PackedValues.CountAndValidate(packedValues.Span);
    }

    private readonly ReadOnlyMemory<byte> _source;
    private readonly Func<ReadOnlyMemory<byte>, SessionMetadata>? _readMetadata;
    private SessionMetadata? _metadata;

    /// <summary>A record from values a store kept key by key (a hash's fields, a table's rows).</summary>
    /// <param name="metadata">Created, lifetimes and user.</param>
    /// <param name="lastAccess">The last time the session was written or its expiry refreshed.</param>
    /// <param name="values">Each key with its UTF-8 JSON value.</param>
    /// <param name="touched">Whether the load that made this record refreshed the expiry.</param>
    public static SessionRecord FromValues(SessionMetadata metadata, DateTimeOffset lastAccess, IEnumerable<KeyValuePair<string, ReadOnlyMemory<byte>>> values, bool touched = false)
    {
        ArgumentNullException.ThrowIfNull(values);
        var buffer = new ArrayBufferWriter<byte>(256);
        foreach (var (key, value) in values) Satchel.Stores.PackedValues.Write(buffer, key, value.Span);
        return new SessionRecord(metadata, lastAccess, buffer.WrittenMemory, touched);
    }

    /// <summary>Created, lifetimes and user.</summary>
    public SessionMetadata Metadata => _metadata ??= _readMetadata!(_source);

    /// <summary>The last time the session was written or its expiry refreshed.</summary>
    public DateTimeOffset LastAccess { get; }

    /// <summary>Whether the load that returned this record refreshed the session's expiry.</summary>
    public bool Touched { get; }

    /// <summary>When the session expires unless it is used again.</summary>
    public DateTimeOffset ExpiresAt => Metadata.ExpiresAt(LastAccess);

    /// <summary>How many values the session holds.</summary>
    public int Count { get; }

    /// <summary>
    /// The values in Satchel's packed format (<c>[varint length][UTF-8 key][varint length][JSON]</c>
    /// per entry). A store that keeps sessions whole stores these bytes and hands them back to the
    /// constructor; it never needs to read them.
    /// </summary>
    public ReadOnlyMemory<byte> PackedValues { get; }

    /// <summary>The JSON of <paramref name="key"/>, read in place; <see langword="false"/> when the session lacks it.</summary>
    public bool TryGetValue(string key, out ReadOnlySpan<byte> json)
    {
        ArgumentNullException.ThrowIfNull(key);
        var packed = PackedValues.Span;
        if (Satchel.Stores.PackedValues.TryFind(packed, key, out var start, out var length))
        {
            json = packed.Slice(start, length);
            return true;
        }
        json = default;
        return false;
    }

    /// <summary>Whether the session holds <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => TryGetValue(key, out _);

    /// <summary>Every key with its JSON, for a store that writes values key by key.</summary>
    public IEnumerable<KeyValuePair<string, ReadOnlyMemory<byte>>> Values
    {
        get
        {
            var position = 0;
            while (position < PackedValues.Length)
            {
                var keyLength = Satchel.Stores.PackedValues.ReadLength(PackedValues.Span, ref position);
                var keyStart = position;
                position += keyLength;
                var valueLength = Satchel.Stores.PackedValues.ReadLength(PackedValues.Span, ref position);
                var value = PackedValues.Slice(position, valueLength);
                position += valueLength;
                yield return new(Encoding.UTF8.GetString(PackedValues.Span.Slice(keyStart, keyLength)), value);
            }
        }
    }

    /// <summary>The keys the session holds.</summary>
    public IEnumerable<string> Keys => Values.Select(v => v.Key);

    /// <summary>
    /// The whole record — metadata, last access and values — as one byte string, for a store that
    /// keeps each session as one opaque value (a cache entry, a blob). <see cref="FromBytes"/> reads it back.
    /// Times keep whole milliseconds.
    /// </summary>
    public byte[] ToBytes()
    {
        var buffer = new ArrayBufferWriter<byte>(SessionRecordFormat.Length(Metadata, PackedValues.Length));
        SessionRecordFormat.Write(buffer, this);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A record from the bytes <see cref="ToBytes"/> made. Not copied: keep the memory unchanged.</summary>
    /// <param name="bytes">What <see cref="ToBytes"/> returned.</param>
    /// <param name="touched">Whether the load that made this record refreshed the expiry.</param>
    /// <exception cref="FormatException"><paramref name="bytes"/> are not a record.</exception>
    public static SessionRecord FromBytes(ReadOnlyMemory<byte> bytes, bool touched = false) => SessionRecordFormat.Read(bytes, touched);

    /// <summary>
    /// This record with <paramref name="change"/> applied: its values set and removed, its
    /// metadata if it has some, and its time as the last access. For stores that write whole
    /// records; such a store loses the guarantee of atomic change sets unless it applies the
    /// result only over the record it read (compare-and-swap).
    /// </summary>
    public SessionRecord Apply(SessionChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var buffer = new ArrayBufferWriter<byte>(PackedValues.Length + 64);
        Satchel.Stores.PackedValues.WriteApplied(buffer, change.Cleared ? default : PackedValues.Span, change.Values);
        return new SessionRecord(change.Metadata ?? Metadata, change.Now, buffer.WrittenMemory);
    }
}
