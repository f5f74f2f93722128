using System.Buffers;

namespace Satchel;

/// <summary>
/// A session's values as the request sees them: the stored record with the request's changes on
/// top (keys set or removed, a clear, new metadata). The one place the "stored plus changes" view
/// is computed, and what a commit turns into a <see cref="SessionChange"/> or a new
/// <see cref="SessionRecord"/>. A mutable struct held in a field of <see cref="Session"/>, so it
/// costs no allocation of its own.
/// </summary>
internal struct ValueOverlay
{
    private SessionRecord? _stored;
    private ValueChanges? _changes;
    private bool _cleared;
    private SessionMetadata? _metadata;
    private bool _metadataChanged;
    private int _bytes;   // the values' size as packed: keys and JSON, for SatchelOptions.MaxSessionBytes

    private static readonly ValueChanges NoChanges = new();

    /// <summary>Starts from a stored record, with no changes.</summary>
    public ValueOverlay(SessionRecord record)
    {
        _stored = record;
        _bytes = record.PackedValues.Length;
    }

    /// <summary>The stored session as loaded, with this request's changes dropped.</summary>
    public readonly ValueOverlay WithoutChanges() => _stored is null ? default : new ValueOverlay(_stored);

    /// <summary>The values' size (keys and JSON) if <paramref name="key"/> were set to <paramref name="jsonLength"/> bytes.</summary>
    public readonly int SizeWith(string key, int jsonLength) => SizeWith(key, jsonLength, out _);

    /// <inheritdoc cref="SizeWith(string, int)"/>
    /// <param name="key">The key.</param>
    /// <param name="jsonLength">The new value's length.</param>
    /// <param name="present">Whether the session holds <paramref name="key"/> now.</param>
    public readonly int SizeWith(string key, int jsonLength, out bool present)
    {
        present = TryGet(key, out var current);
        return _bytes + EntrySize(key, jsonLength) - (present ? EntrySize(key, current.Length) : 0);
    }

    /// <summary>The values' size as packed (keys and JSON, with their length prefixes).</summary>
    public readonly int Size => _bytes;

    /// <summary>Whether this request set, removed or cleared <paramref name="key"/> and has not saved it yet.</summary>
    public readonly bool HasChange(string key) => _cleared || (_changes?.ContainsKey(key) ?? false);

    /// <summary>
    /// Takes a value the store already holds into the stored view, as no change of this request:
    /// the result of a one-step store operation (<see cref="ISessionOneStepValues"/>).
    /// </summary>
    public void AdoptStored(string key, ReadOnlyMemory<byte>? json)
    {
        if (_stored is null) return;
        _bytes = json is { } value ? SizeWith(key, value.Length) : _bytes - (TryGet(key, out var current) ? EntrySize(key, current.Length) : 0);
        _stored = _stored.Apply(new SessionChange { Now = _stored.LastAccess, Values = ValueChanges.One(key, json?.ToArray()) });
    }

    /// <summary>Whether the request changed anything.</summary>
    public readonly bool HasChanges => _cleared || _metadataChanged || _changes is { Count: > 0 };

    /// <summary>Whether a new session would hold anything worth a record (no empty records).</summary>
    public readonly bool HasContent => _metadataChanged || Count > 0;

    /// <summary>The metadata as changed, or as stored; <see langword="null"/> for a new session nobody described yet.</summary>
    public readonly SessionMetadata? Metadata => _metadataChanged ? _metadata : _stored?.Metadata;

    public void SetMetadata(SessionMetadata metadata)
    {
        _metadata = metadata;
        _metadataChanged = true;
    }

    public readonly bool TryGet(string key, out ReadOnlySpan<byte> json)
    {
        if (_changes is not null && _changes.TryGetValue(key, out var changed))
        {
            json = changed;
            return changed is not null;
        }
        if (!_cleared && _stored is not null) return _stored.TryGetValue(key, out json);
        json = default;
        return false;
    }

    public readonly bool Contains(string key) => TryGet(key, out _);

    /// <summary>How many keys the session holds, without building the set.</summary>
    public readonly int Count
    {
        get
        {
            var count = _cleared || _stored is null ? 0 : _stored.Count;
            if (_changes is null) return count;
            foreach (var (key, value) in _changes.Entries)
            {
                var wasStored = !_cleared && _stored is not null && _stored.ContainsKey(key);
                if (value is null && wasStored) count--;
                else if (value is not null && !wasStored) count++;
            }
            return count;
        }
    }

    public readonly IReadOnlyCollection<string> Keys
    {
        get
        {
            var keys = new HashSet<string>(_cleared || _stored is null ? [] : _stored.Keys, StringComparer.Ordinal);
            if (_changes is null) return keys;
            foreach (var (key, value) in _changes.Entries)
            {
                if (value is null) keys.Remove(key);
                else keys.Add(key);
            }
            return keys;
        }
    }

    /// <summary>Sets <paramref name="key"/>; <paramref name="size"/> is what <see cref="SizeWith(string, int)"/> said the values then take.</summary>
    public void Set(string key, byte[] json, int size)
    {
        _bytes = size;
        (_changes ??= new()).Set(key, json);
    }

    /// <summary>Removes <paramref name="key"/>; <see langword="false"/> when the session lacked it.</summary>
    public bool Remove(string key)
    {
        if (!TryGet(key, out var current)) return false;
        _bytes -= EntrySize(key, current.Length);
        (_changes ??= new()).Set(key, null);
        return true;
    }

    /// <summary>Removes every value; <see langword="false"/> when there was nothing to clear.</summary>
    public bool Clear()
    {
        if (_stored is null && (_changes is null || _changes.Count == 0)) return false;
        _cleared = true;
        _changes?.Clear();
        _bytes = 0;
        return true;
    }

    // An entry's packed size, length prefixes included, so the sum is the record's size.
    private static int EntrySize(string key, int jsonLength)
    {
        var keyLength = System.Text.Encoding.UTF8.GetByteCount(key);
        return VarintSize(keyLength) + keyLength + VarintSize(jsonLength) + jsonLength;
    }

    private static int VarintSize(int value) => value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;

    /// <summary>The change set a commit applies to the stored session.</summary>
    public readonly SessionChange ToChange(DateTimeOffset now) =>
        new() { Now = now, Cleared = _cleared, Values = _changes ?? NoChanges, Metadata = _metadataChanged ? _metadata : null, Base = _stored };

    /// <summary>The session as it now stands, as a whole new record (create, regenerate).</summary>
    public readonly SessionRecord ToRecord(DateTimeOffset now, SessionMetadata metadata)
    {
        var current = _cleared || _stored is null ? ReadOnlyMemory<byte>.Empty : _stored.PackedValues;
        if (_changes is null or { Count: 0 }) return new SessionRecord(metadata, now, current);
        var buffer = new ArrayBufferWriter<byte>(current.Length + 64);
        PackedValues.WriteApplied(buffer, current.Span, _changes);
        return new SessionRecord(metadata, now, buffer.WrittenMemory);
    }
}
