using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Satchel;

/// <summary>
/// One call into the session store, measured: a span (<see cref="SatchelDiagnostics.ActivitySourceName"/>)
/// parented to the request's, and a point of <c>satchel.store.operation.duration</c>. Costs a flag
/// check when nobody listens. Start it in the expression that calls the store, so the store's own
/// spans (a Redis client's) nest under it:
/// <code>record = await StoreCall.Start(manager, StoreCall.Load, key).Of(store.LoadAsync(...));</code>
/// </summary>
internal readonly struct StoreCall
{
    public const string Load = "load", Create = "create", Update = "update", Delete = "delete", Touch = "touch",
        Increment = "increment", Replace = "replace", Lock = "lock", List = "list", Revoke = "revoke";

    internal const string StoreNameTag = "satchel.store.name", OperationTag = "satchel.store.operation", SessionIdTag = "satchel.session.id";

    private readonly string? _store;       // null: nobody listens, nothing to record
    private readonly string _operation;
    private readonly long _started;
    private readonly Activity? _activity;
    private readonly Activity? _previous;

    private StoreCall(string store, string operation, Activity? activity, Activity? previous)
    {
        (_store, _operation, _activity, _previous) = (store, operation, activity, previous);
        _started = Stopwatch.GetTimestamp();
    }

    // Inlined into each call site: with nobody listening, two field reads and no call.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static StoreCall Start(SessionManager manager, string operation, SessionKey? key) =>
        SatchelMetrics.StoreDuration.Enabled || SatchelDiagnostics.Source.HasListeners() ? Listened(manager, operation, key) : default;

    private static StoreCall Listened(SessionManager manager, string operation, SessionKey? key)
    {
        var listened = SatchelMetrics.StoreDuration.Enabled;
        var previous = Activity.Current;
        var activity = SatchelDiagnostics.Source.StartActivity("satchel.store." + operation, ActivityKind.Client);
        if (activity is null && !listened) return default;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(StoreNameTag, manager.StoreName);
            activity.SetTag(OperationTag, operation);
            if (key is { } k) activity.SetTag(SessionIdTag, k.Id);
        }
        return new StoreCall(manager.StoreName, operation, activity, previous);
    }

    /// <summary>Measures the store call <paramref name="task"/>, already started under this span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ValueTask<T> Of<T>(ValueTask<T> task)
    {
        if (_store is null) return task;
        // The store's work has begun under the span (and keeps it); this request's flow goes back to its own.
        Activity.Current = _previous;
        return Measure(task);
    }

    /// <inheritdoc cref="Of{T}(ValueTask{T})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ValueTask Of(ValueTask task)
    {
        if (_store is null) return task;
        Activity.Current = _previous;
        return Measure(task);
    }

    private async ValueTask<T> Measure<T>(ValueTask<T> task)
    {
        try
        {
            var result = await task.ConfigureAwait(false);
            End(null);
            return result;
        }
        catch (Exception ex)
        {
            End(ex);
            throw;
        }
    }

    private async ValueTask Measure(ValueTask task)
    {
        try
        {
            await task.ConfigureAwait(false);
            End(null);
        }
        catch (Exception ex)
        {
            End(ex);
            throw;
        }
    }

    private void End(Exception? error)
    {
        var errorType = error is null or OperationCanceledException ? null : error.GetType().FullName;
        if (SatchelMetrics.StoreDuration.Enabled)
        {
            var tags = new TagList { { StoreNameTag, _store }, { OperationTag, _operation } };
            if (errorType is not null) tags.Add("error.type", errorType);
            SatchelMetrics.StoreDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, tags);
        }
        if (_activity is null) return;
        if (errorType is not null)
        {
            _activity.SetTag("error.type", errorType);
            _activity.SetStatus(ActivityStatusCode.Error, error!.Message);
        }
        _activity.Stop();
    }
}
