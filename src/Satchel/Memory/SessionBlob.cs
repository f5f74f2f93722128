using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Satchel;

/// <summary>
/// One session of the memory store as a single run of bytes (a <see cref="NativeBlob"/> in the
/// table, a byte array once a load copied it out):
/// [32-byte key][last access][created][idle][deadline][flags][user id][user agent][packed values].
/// Times are UTC ticks (deadline <see cref="long.MaxValue"/> for none); the strings are
/// length-prefixed UTF-8 and present only when their flag is set. Only the last access changes in
/// place; every other change builds a new blob.
/// </summary>
internal static class SessionBlob
{
    private const int LastAccessAt = 32;
    private const int CreatedAt = 40;
    private const int IdleAt = 48;
    private const int DeadlineAt = 56;
    private const int FlagsAt = 64;
    private const int FixedLength = 65;

    private const byte Persistent = 1;
    private const byte HasUser = 2;
    private const byte HasUserAgent = 4;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static SessionKey Key(ReadOnlySpan<byte> blob) => SessionKey.FromBytes(blob[..SessionKey.ByteLength]);

    public static long LastAccess(ReadOnlySpan<byte> blob) => BinaryPrimitives.ReadInt64LittleEndian(blob[LastAccessAt..]);

    public static void SetLastAccess(Span<byte> blob, long ticks) => BinaryPrimitives.WriteInt64LittleEndian(blob[LastAccessAt..], ticks);

    public static long ExpiresAt(ReadOnlySpan<byte> blob)
    {
        var idleEnd = LastAccess(blob) + BinaryPrimitives.ReadInt64LittleEndian(blob[IdleAt..]);
        return Math.Min(idleEnd, BinaryPrimitives.ReadInt64LittleEndian(blob[DeadlineAt..]));
    }

    public static bool HasUserId(ReadOnlySpan<byte> blob) => (blob[FlagsAt] & HasUser) != 0;

    public static string? UserId(ReadOnlySpan<byte> blob)
    {
        if ((blob[FlagsAt] & HasUser) == 0) return null;
        var position = FixedLength;
        return ReadString(blob, ref position);
    }

    public static SessionMetadata Metadata(ReadOnlySpan<byte> blob)
    {
        var flags = blob[FlagsAt];
        var position = FixedLength;
        var userId = (flags & HasUser) != 0 ? ReadString(blob, ref position) : null;
        var userAgent = (flags & HasUserAgent) != 0 ? ReadString(blob, ref position) : null;
        var deadline = BinaryPrimitives.ReadInt64LittleEndian(blob[DeadlineAt..]);
        return new(
            new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(blob[CreatedAt..]), TimeSpan.Zero),
            TimeSpan.FromTicks(BinaryPrimitives.ReadInt64LittleEndian(blob[IdleAt..])),
            deadline == long.MaxValue ? null : new DateTimeOffset(deadline, TimeSpan.Zero),
            (flags & Persistent) != 0, userId, userAgent);
    }

    /// <summary>The JSON of value <paramref name="name"/>, read in place; <see langword="false"/> when absent.</summary>
    public static bool TryGetValue(ReadOnlySpan<byte> blob, string name, out ReadOnlySpan<byte> json)
    {
        var values = blob[ValuesStart(blob)..];
        if (PackedValues.TryFind(values, name, out var start, out var length))
        {
            json = values.Slice(start, length);
            return true;
        }
        json = default;
        return false;
    }

    /// <summary>The session as a record whose values are read in place from <paramref name="blob"/>, a copy the caller handed over.</summary>
    public static SessionRecord ToRecord(byte[] blob, bool touched) =>
        SessionRecord.WithDeferredMetadata(blob, static source => Metadata(source.Span), new DateTimeOffset(LastAccess(blob), TimeSpan.Zero), blob.AsMemory(ValuesStart(blob)), touched);

    /// <summary>A new session from its record, in a buffer of this thread valid until its next call here.</summary>
    public static ReadOnlySpan<byte> Create(SessionKey key, SessionRecord record)
    {
        var buffer = Buffer();
        WriteHeader(buffer, key, record.LastAccess.UtcTicks, record.Metadata);
        buffer.Write(record.PackedValues.Span);
        return buffer.WrittenSpan;
    }

    /// <summary>
    /// The session in <paramref name="blob"/> with <paramref name="change"/> applied, in a buffer of
    /// this thread valid until its next call here.
    /// </summary>
    public static ReadOnlySpan<byte> Apply(ReadOnlySpan<byte> blob, SessionChange change)
    {
        var valuesStart = ValuesStart(blob);
        var buffer = Buffer();
        if (change.Metadata is { } metadata)
        {
            WriteHeader(buffer, Key(blob), change.Now.UtcTicks, metadata);
        }
        else
        {
            // Same metadata: the header's bytes as they are, with the new last access.
            var header = buffer.GetSpan(valuesStart)[..valuesStart];
            blob[..valuesStart].CopyTo(header);
            SetLastAccess(header, change.Now.UtcTicks);
            buffer.Advance(valuesStart);
        }
        var values = change.Cleared ? ReadOnlySpan<byte>.Empty : blob[valuesStart..];
        PackedValues.WriteApplied(buffer, values, change.Values);
        return buffer.WrittenSpan;
    }

    private static void WriteHeader(ArrayBufferWriter<byte> buffer, SessionKey key, long lastAccess, SessionMetadata metadata)
    {
        var span = buffer.GetSpan(FixedLength);
        key.CopyTo(span);
        BinaryPrimitives.WriteInt64LittleEndian(span[LastAccessAt..], lastAccess);
        BinaryPrimitives.WriteInt64LittleEndian(span[CreatedAt..], metadata.Created.UtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(span[IdleAt..], metadata.IdleTimeout.Ticks);
        BinaryPrimitives.WriteInt64LittleEndian(span[DeadlineAt..], metadata.AbsoluteDeadline?.UtcTicks ?? long.MaxValue);
        span[FlagsAt] = (byte)((metadata.Persistent ? Persistent : 0)
            | (metadata.UserId is null ? 0 : HasUser)
            | (metadata.UserAgent is null ? 0 : HasUserAgent));
        buffer.Advance(FixedLength);
        if (metadata.UserId is { } userId) WriteString(buffer, userId);
        if (metadata.UserAgent is { } userAgent) WriteString(buffer, userAgent);
    }

    private static int ValuesStart(ReadOnlySpan<byte> blob)
    {
        var flags = blob[FlagsAt];
        var position = FixedLength;
        if ((flags & HasUser) != 0) SkipString(blob, ref position);
        if ((flags & HasUserAgent) != 0) SkipString(blob, ref position);
        return position;
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var span = buffer.GetSpan(length + 5);
        var n = PackedValues.WriteLength(span, length);
        n += Encoding.UTF8.GetBytes(value, span[n..]);
        buffer.Advance(n);
    }

    private static string ReadString(ReadOnlySpan<byte> blob, ref int position)
    {
        var length = PackedValues.ReadLength(blob, ref position);
        var value = Encoding.UTF8.GetString(blob.Slice(position, length));
        position += length;
        return value;
    }

    private static void SkipString(ReadOnlySpan<byte> blob, ref int position)
    {
        var length = PackedValues.ReadLength(blob, ref position);
        position += length;
    }

    // One buffer per thread: a commit allocates only the finished array.
    private static ArrayBufferWriter<byte> Buffer()
    {
        var buffer = t_buffer;
        // A buffer a large session grew is not kept for the life of the thread.
        if (buffer is null || buffer.Capacity > 64 * 1024) t_buffer = buffer = new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        return buffer;
    }
}
