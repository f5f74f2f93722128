using System.Runtime.InteropServices;

namespace Satchel;

/// <summary>
/// One session of the memory store in native memory, outside the GC's heap: <c>[int32 length][bytes]</c>.
/// Sessions live for minutes to days, which is what a garbage collector handles worst: under server
/// GC the heap it keeps committed grows with the live heap (three times the sessions' own bytes, as
/// measured by bench/rss.sh), and every full collection marks and may move them. Here a session
/// costs its bytes and the allocator's header, and the GC sees none of it.
/// Only <see cref="SessionTable"/> holds these, and frees them; every read happens under the lock
/// of its shard, and a load copies the bytes out, so nothing outside the lock ever points into one.
/// </summary>
internal readonly unsafe struct NativeBlob
{
    private readonly byte* _address;

    private NativeBlob(byte* address) => _address = address;

    public bool IsEmpty => _address == null;

    public Span<byte> Span => new(_address + sizeof(int), *(int*)_address);

    /// <summary>A new blob holding a copy of <paramref name="bytes"/>.</summary>
    public static NativeBlob Copy(ReadOnlySpan<byte> bytes)
    {
        var address = (byte*)NativeMemory.Alloc((nuint)(sizeof(int) + bytes.Length));
        *(int*)address = bytes.Length;
        bytes.CopyTo(new Span<byte>(address + sizeof(int), bytes.Length));
        return new NativeBlob(address);
    }

    public void Free() => NativeMemory.Free(_address);
}
