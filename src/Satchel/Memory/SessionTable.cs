using System.Numerics;

namespace Satchel;

/// <summary>
/// One shard of the memory store: an open-addressing hash table (linear probing, backward-shift
/// deletion, no tombstones) of session blobs in native memory, each found by the 32-byte key it
/// starts with. A slot costs one pointer, so the table adds 8–16 bytes per session. The table owns
/// its blobs: it frees one when it is removed or replaced. Not thread-safe: the store locks it, and
/// a blob's bytes are valid only under that lock.
/// </summary>
internal sealed class SessionTable
{
    private const int MinCapacity = 16;

    private NativeBlob[] _slots = new NativeBlob[MinCapacity];

    public int Count { get; private set; }

    /// <summary>How many slots there are (for a scan with <see cref="this"/>).</summary>
    public int Capacity => _slots.Length;

    /// <summary>The blob in <paramref name="slot"/>, empty when none; valid until the table changes it.</summary>
    public Span<byte> this[int slot] => _slots[slot].IsEmpty ? default : _slots[slot].Span;

    /// <summary>The slot holding <paramref name="key"/>, or -1.</summary>
    public int Find(SessionKey key)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        for (var slot = Home(key, mask); ; slot = (slot + 1) & mask)
        {
            var blob = slots[slot];
            if (blob.IsEmpty) return -1;
            if (SessionBlob.Key(blob.Span) == key) return slot;
        }
    }

    /// <summary>Adds a copy of <paramref name="blob"/>, whose key is not in the table.</summary>
    public void Add(ReadOnlySpan<byte> blob)
    {
        // Grow at three quarters full: linear probing stays short below that.
        if ((Count + 1) * 4 > _slots.Length * 3) Resize(_slots.Length * 2);
        Place(_slots, NativeBlob.Copy(blob));
        Count++;
    }

    /// <summary>
    /// Makes the blob in <paramref name="slot"/> read as <paramref name="blob"/> (same key): in place
    /// when the length is the same (a counter that moved, a flag that flipped), else in a new blob.
    /// </summary>
    public void Replace(int slot, ReadOnlySpan<byte> blob)
    {
        var old = _slots[slot];
        if (old.Span.Length == blob.Length)
        {
            blob.CopyTo(old.Span);
            return;
        }
        _slots[slot] = NativeBlob.Copy(blob);
        old.Free();
    }

    /// <summary>Removes and frees the blob in <paramref name="slot"/>.</summary>
    public void RemoveAt(int slot)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        slots[slot].Free();
        slots[slot] = default;
        Count--;
        // Shift back every later blob of the run that may no longer be reachable past the hole.
        for (var next = (slot + 1) & mask; !slots[next].IsEmpty; next = (next + 1) & mask)
        {
            var home = Home(SessionBlob.Key(slots[next].Span), mask);
            var reachable = slot <= next ? home > slot && home <= next : home > slot || home <= next;
            if (reachable) continue;
            slots[slot] = slots[next];
            slots[next] = default;
            slot = next;
        }
    }

    /// <summary>Frees every blob and empties the table.</summary>
    public void Clear()
    {
        foreach (var blob in _slots)
        {
            if (!blob.IsEmpty) blob.Free();
        }
        _slots = new NativeBlob[MinCapacity];
        Count = 0;
    }

    /// <summary>Gives memory back once most sessions of a busy time have expired.</summary>
    public void ShrinkIfSparse()
    {
        if (_slots.Length > MinCapacity && Count * 8 < _slots.Length)
            Resize(Math.Max(MinCapacity, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Count * 2))));
    }

    private void Resize(int capacity)
    {
        var slots = new NativeBlob[capacity];
        foreach (var blob in _slots)
        {
            if (!blob.IsEmpty) Place(slots, blob);
        }
        _slots = slots;
    }

    private static void Place(NativeBlob[] slots, NativeBlob blob)
    {
        var mask = slots.Length - 1;
        var slot = Home(SessionBlob.Key(blob.Span), mask);
        while (!slots[slot].IsEmpty) slot = (slot + 1) & mask;
        slots[slot] = blob;
    }

    // The key is a SHA-256, so its bits are already uniform; the store picks shards with others.
    private static int Home(SessionKey key, int mask) => (int)(key.High & (uint)mask);
}
