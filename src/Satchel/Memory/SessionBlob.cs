using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Satchel;

/// <summary>
/// One session of the memory store as a single byte array, so an idle session is one heap object:
/// [32-byte key][last access][created][idle][deadline][flags][user id][user agent][packed values].
/// Times are UTC ticks (deadline <see cref="long.MaxValue"/> for none); the strings are
/// length-prefixed UTF-8 and present only when their flag is set. Only the last access changes in
/// place; every other change builds a new array, so a loaded snapshot never changes under its reader.
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

    public static SessionKey Key(byte[] blob) => SessionKey.FromBytes(blob.AsSpan(0, SessionKey.ByteLength));

    public static long LastAccess(byte[] blob) => BinaryPrimitives.ReadInt64LittleEndian(blob.AsSpan(LastAccessAt));

    public static void SetLastAccess(byte[] blob, long ticks) => BinaryPrimitives.WriteInt64LittleEndian(blob.AsSpan(LastAccessAt), ticks);

    public static long ExpiresAt(byte[] blob)
    {
        var idleEnd = LastAccess(blob) + BinaryPrimitives.ReadInt64LittleEndian(blob.AsSpan(IdleAt));
        return Math.Min(idleEnd, BinaryPrimitives.ReadInt64LittleEndian(blob.AsSpan(DeadlineAt)));
    }

    public static string? UserId(byte[] blob)
    {
        if ((blob[FlagsAt] & HasUser) == 0) return null;
        var position = FixedLength;
        return ReadString(blob, ref position);
    }

    public static SessionMetadata Metadata(byte[] blob)
    {
        var flags = blob[FlagsAt];
        var position = FixedLength;
        var userId = (flags & HasUser) != 0 ? ReadString(blob, ref position) : null;
        var userAgent = (flags & HasUserAgent) != 0 ? ReadString(blob, ref position) : null;
        var deadline = BinaryPrimitives.ReadInt64LittleEndian(blob.AsSpan(DeadlineAt));
        return new(
            new DateTimeOffset(BinaryPrimitives.ReadInt64LittleEndian(blob.AsSpan(CreatedAt)), TimeSpan.Zero),
            TimeSpan.FromTicks(BinaryPrimitives.ReadInt64LittleEndian(blob.AsSpan(IdleAt))),
            deadline == long.MaxValue ? null : new DateTimeOffset(deadline, TimeSpan.Zero),
            (flags & Persistent) != 0, userId, userAgent);
    }

    /// <summary>The JSON of value <paramref name="name"/>, read in place; <see langword="false"/> when absent.</summary>
    public static bool TryGetValue(byte[] blob, string name, out ReadOnlySpan<byte> json)
    {
        var values = blob.AsSpan(ValuesStart(blob));
        if (PackedValues.TryFind(values, name, out var start, out var length))
        {
            json = values.Slice(start, length);
            return true;
        }
        json = default;
        return false;
    }

    /// <summary>The session as a record whose values are read in place from the blob.</summary>
    public static SessionRecord ToRecord(byte[] blob, bool touched) =>
        new(blob, new DateTimeOffset(LastAccess(blob), TimeSpan.Zero), blob.AsMemory(ValuesStart(blob)), touched);

    /// <summary>A new session from its record.</summary>
    public static byte[] Create(SessionKey key, SessionRecord record)
    {
        var buffer = Buffer();
        WriteHeader(buffer, key, record.LastAccess.UtcTicks, record.Metadata);
        buffer.Write(record.PackedValues.Span);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The session in <paramref name="blob"/> with <paramref name="change"/> applied.</summary>
    public static byte[] Apply(byte[] blob, SessionChange change)
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
            buffer.Write(blob.AsSpan(0, valuesStart));
        }
        var values = change.Cleared ? ReadOnlySpan<byte>.Empty : blob.AsSpan(valuesStart);
        PackedValues.WriteApplied(buffer, values, change.Values);
        var result = buffer.WrittenSpan.ToArray();
        SetLastAccess(result, change.Now.UtcTicks);
        return result;
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

    private static int ValuesStart(byte[] blob)
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

    private static string ReadString(byte[] blob, ref int position)
    {
        var length = PackedValues.ReadLength(blob, ref position);
        var value = Encoding.UTF8.GetString(blob, position, length);
        position += length;
        return value;
    }

    private static void SkipString(byte[] blob, ref int position)
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
