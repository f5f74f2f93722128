using System.Collections.Concurrent;

namespace Satchel;

/// <summary>
/// HttpListener sessions save when disposed, after the response may already be with the browser,
/// so the browser's next request could overtake the save. Each changed session registers its save
/// here, and a later request of the same session in this process waits for it (at most
/// <see cref="Wait"/>). One registry per <see cref="SessionManager"/>.
/// </summary>
internal sealed class PendingCommits
{
    /// <summary>How long a request waits for a save of its session still under way.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<SessionKey, Task> _commits = new();
    private int _count;

    /// <summary>A registration for one request's session.</summary>
    public PendingCommit Begin() => new(this);

    /// <summary>Waits for a save of <paramref name="key"/> under way; <see langword="false"/> when it took longer than <see cref="Wait"/>.</summary>
    public async ValueTask<bool> WaitForAsync(SessionKey key, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _count) == 0 || !_commits.TryGetValue(key, out var commit)) return true;
        try
        {
            await commit.WaitAsync(Wait, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void Add(SessionKey key, Task commit)
    {
        _commits[key] = commit;
        Interlocked.Increment(ref _count);
    }

    private void Remove(SessionKey key, Task commit)
    {
        if (_commits.TryRemove(new KeyValuePair<SessionKey, Task>(key, commit))) Interlocked.Decrement(ref _count);
    }

    /// <summary>One request's save: registered under each key it changes, released when it commits.</summary>
    internal sealed class PendingCommit(PendingCommits registry)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<SessionKey> _keys = [];

        public void Track(SessionKey key)
        {
            if (_keys.Contains(key)) return;
            _keys.Add(key);
            registry.Add(key, _done.Task);
        }

        public void Release()
        {
            foreach (var key in _keys) registry.Remove(key, _done.Task);
            _done.TrySetResult();
        }
    }
}
