using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Satchel.Stores;

/// <summary>
/// A whole record as one byte string, for stores that keep a session as one opaque value (an
/// <c>IDistributedCache</c> entry, a sealed cookie). Version 1: a version byte; created, last
/// access, idle timeout and deadline as little-endian Unix milliseconds (<see cref="long.MinValue"/>
/// for no deadline); a flags byte (persistent, has user, has user agent); the user and user agent
/// as length-prefixed UTF-8; then the packed values to the end.
/// </summary>
internal static class SessionRecordFormat
{
    private const byte Version = 1;
    private const int FixedLength = 1 + 4 * sizeof(long) + 1;
    private const byte Persistent = 1, HasUser = 2, HasUserAgent = 4;

    public static int Length(SessionMetadata metadata, int packedLength) =>
        FixedLength + StringLength(metadata.UserId) + StringLength(metadata.UserAgent) + packedLength;

    public static void Write(IBufferWriter<byte> into, SessionRecord record)
    {
        var metadata = record.Metadata;
        var span = into.GetSpan(FixedLength);
        span[0] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(span[1..], metadata.Created.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(span[9..], record.LastAccess.ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt64LittleEndian(span[17..], (long)metadata.IdleTimeout.TotalMilliseconds);
        BinaryPrimitives.WriteInt64LittleEndian(span[25..], metadata.AbsoluteDeadline?.ToUnixTimeMilliseconds() ?? long.MinValue);
        span[33] = (byte)((metadata.Persistent ? Persistent : 0) | (metadata.UserId is null ? 0 : HasUser) | (metadata.UserAgent is null ? 0 : HasUserAgent));
        into.Advance(FixedLength);
        WriteString(into, metadata.UserId);
        WriteString(into, metadata.UserAgent);
        into.Write(record.PackedValues.Span);
    }

    /// <exception cref="FormatException">The bytes are not a record of this format.</exception>
    public static SessionRecord Read(ReadOnlyMemory<byte> bytes, bool touched)
    {
        var span = bytes.Span;
        if (span.Length < FixedLength || span[0] != Version) throw new FormatException("Not a Satchel session record (wrong version or too short).");
        var created = BinaryPrimitives.ReadInt64LittleEndian(span[1..]);
        var lastAccess = BinaryPrimitives.ReadInt64LittleEndian(span[9..]);
        var idle = BinaryPrimitives.ReadInt64LittleEndian(span[17..]);
        var deadline = BinaryPrimitives.ReadInt64LittleEndian(span[25..]);
        var flags = span[33];
        var position = FixedLength;
        var user = (flags & HasUser) != 0 ? ReadString(span, ref position) : null;
        var userAgent = (flags & HasUserAgent) != 0 ? ReadString(span, ref position) : null;
        if (created < MinMs || created > MaxMs || lastAccess < MinMs || lastAccess > MaxMs || idle < 0 || (deadline != long.MinValue && (deadline < MinMs || deadline > MaxMs)))
            throw new FormatException("A Satchel session record holds a time out of range.");
        var metadata = new SessionMetadata(
            DateTimeOffset.FromUnixTimeMilliseconds(created),
            TimeSpan.FromMilliseconds(idle),
            deadline == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(deadline),
            (flags & Persistent) != 0,
            user,
            userAgent);
        return new SessionRecord(metadata, DateTimeOffset.FromUnixTimeMilliseconds(lastAccess), bytes[position..], touched);
    }

    private static readonly long MinMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    private static int StringLength(string? value)
    {
        if (value is null) return 0;
        var bytes = Encoding.UTF8.GetByteCount(value);
        Span<byte> varint = stackalloc byte[5];
        return PackedValues.WriteLength(varint, bytes) + bytes;
    }

    private static void WriteString(IBufferWriter<byte> into, string? value)
    {
        if (value is null) return;
        var bytes = Encoding.UTF8.GetByteCount(value);
        var span = into.GetSpan(5 + bytes);
        var n = PackedValues.WriteLength(span, bytes);
        Encoding.UTF8.GetBytes(value, span[n..]);
        into.Advance(n + bytes);
    }

    private static string ReadString(ReadOnlySpan<byte> span, ref int position)
    {
        var length = PackedValues.ReadLength(span, ref position);
        if (length > span.Length - position) throw new FormatException("A Satchel session record is cut short.");
        var value = Encoding.UTF8.GetString(span.Slice(position, length));
        position += length;
        return value;
    }
}
