using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Satchel;

/// <summary>
/// The keys one request set (UTF-8 JSON) or removed (<see langword="null"/>), in the order first
/// changed: what <see cref="SessionChange.Values"/> carries from a <see cref="Session"/> commit.
/// A request changes a key or two, so this is one small array searched in order instead of a
/// dictionary's object, buckets and entries (about 210 bytes and a hash per access), and it
/// enumerates without boxing where the core reads it (<c>PackedValues.WriteApplied</c>).
/// A request that changes many keys gets an index, so it never searches in quadratic time.
/// </summary>
internal sealed class ValueChanges : IReadOnlyDictionary<string, byte[]?>
{
    private const int IndexedFrom = 16;
    private KeyValuePair<string, byte[]?>[] _entries = new KeyValuePair<string, byte[]?>[2];
    private int _count;
    private Dictionary<string, int>? _index;

    public int Count => _count;

    /// <summary>A change of one key: what a one-step store operation applies.</summary>
    public static ValueChanges One(string key, byte[]? value)
    {
        var changes = new ValueChanges();
        changes.Set(key, value);
        return changes;
    }

    public byte[]? this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No change to session key '{key}'.");

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> (<see langword="null"/>: removed), in place when it already changed.</summary>
    public void Set(string key, byte[]? value)
    {
        var index = IndexOf(key);
        if (index >= 0)
        {
            _entries[index] = new(key, value);
            return;
        }
        if (_count == _entries.Length) Array.Resize(ref _entries, _count * 2);
        _entries[_count] = new(key, value);
        if (_index is not null) _index[key] = _count;
        else if (_count + 1 == IndexedFrom)
        {
            _index = new Dictionary<string, int>(IndexedFrom * 2, StringComparer.Ordinal);
            for (var i = 0; i <= _count; i++) _index[_entries[i].Key] = i;
        }
        _count++;
    }

    public void Clear()
    {
        Array.Clear(_entries, 0, _count);
        _count = 0;
        _index = null;
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out byte[]? value)
    {
        var index = IndexOf(key);
        value = index >= 0 ? _entries[index].Value : null;
        return index >= 0;
    }

    /// <summary>The changes in order, as a span: what the core enumerates (no enumerator object).</summary>
    public ReadOnlySpan<KeyValuePair<string, byte[]?>> Entries => _entries.AsSpan(0, _count);

    public IEnumerable<string> Keys => Entries.ToArray().Select(e => e.Key);

    public IEnumerable<byte[]?> Values => Entries.ToArray().Select(e => e.Value);

    public IEnumerator<KeyValuePair<string, byte[]?>> GetEnumerator()
    {
        for (var i = 0; i < _count; i++) yield return _entries[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_index is not null) return _index.TryGetValue(key, out var indexed) ? indexed : -1;
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal)) return i;
        }
        return -1;
    }
}
