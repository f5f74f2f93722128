using System.Numerics;

namespace Satchel;

/// <summary>
/// One shard of the memory store: an open-addressing hash table (linear probing, backward-shift
/// deletion, no tombstones) of session blobs, each found by the 32-byte key it starts with. A slot
/// costs one reference, so the table adds 8–16 bytes per session. Not thread-safe: the store locks it.
/// </summary>
internal sealed class SessionTable
{
    private const int MinCapacity = 16;

    public byte[]?[] Slots { get; private set; } = new byte[]?[MinCapacity];

    public int Count { get; private set; }

    /// <summary>The slot holding <paramref name="key"/>, or -1.</summary>
    public int Find(SessionKey key)
    {
        var mask = Slots.Length - 1;
        for (var slot = Home(key, mask); ; slot = (slot + 1) & mask)
        {
            var blob = Slots[slot];
            if (blob is null) return -1;
            if (SessionBlob.Key(blob) == key) return slot;
        }
    }

    /// <summary>Adds a blob whose key is not in the table.</summary>
    public void Add(byte[] blob)
    {
        // Grow at three quarters full: linear probing stays short below that.
        if ((Count + 1) * 4 > Slots.Length * 3) Resize(Slots.Length * 2);
        Place(Slots, blob);
        Count++;
    }

    public void RemoveAt(int slot)
    {
        var slots = Slots;
        var mask = slots.Length - 1;
        slots[slot] = null;
        Count--;
        // Shift back every later blob of the run that may no longer be reachable past the hole.
        for (var next = (slot + 1) & mask; slots[next] is { } blob; next = (next + 1) & mask)
        {
            var home = Home(SessionBlob.Key(blob), mask);
            var reachable = slot <= next ? home > slot && home <= next : home > slot || home <= next;
            if (reachable) continue;
            slots[slot] = blob;
            slots[next] = null;
            slot = next;
        }
    }

    /// <summary>Gives memory back once most sessions of a busy time have expired.</summary>
    public void ShrinkIfSparse()
    {
        if (Slots.Length > MinCapacity && Count * 8 < Slots.Length)
            Resize(Math.Max(MinCapacity, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Count * 2))));
    }

    private void Resize(int capacity)
    {
        var slots = new byte[]?[capacity];
        foreach (var blob in Slots)
        {
            if (blob is not null) Place(slots, blob);
        }
        Slots = slots;
    }

    private static void Place(byte[]?[] slots, byte[] blob)
    {
        var mask = slots.Length - 1;
        var slot = Home(SessionBlob.Key(blob), mask);
        while (slots[slot] is not null) slot = (slot + 1) & mask;
        slots[slot] = blob;
    }

    // The key is a SHA-256, so its bits are already uniform; the store picks shards with others.
    private static int Home(SessionKey key, int mask) => (int)(key.High & (uint)mask);
}
