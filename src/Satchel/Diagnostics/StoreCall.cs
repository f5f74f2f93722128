using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Satchel;

/// <summary>
/// One call into the session store, measured: a span (<see cref="SatchelDiagnostics.ActivitySourceName"/>)
/// parented to the request's, and a point of <c>satchel.store.operation.duration</c>. Costs a flag
/// check when nobody listens. The store is called inside, under the span, so its own spans (a Redis
/// client's) nest under it, and a store that throws before it returns a task (SQLite is synchronous)
/// is measured as failed like one whose task fails. The state carries the call's arguments, so the
/// static lambda allocates nothing:
/// <code>record = await StoreCall.Run(storeName, StoreCall.Load, key, (store, key, now), static s => s.store.LoadAsync(s.key, s.now, ...));</code>
/// </summary>
internal readonly struct StoreCall
{
    public const string Load = "load", Create = "create", Update = "update", Delete = "delete", Touch = "touch",
        Increment = "increment", Replace = "replace", Lock = "lock", List = "list", Revoke = "revoke";

    internal const string StoreNameTag = "satchel.store.name", OperationTag = "satchel.store.operation", SessionIdTag = "satchel.session.id";

    private readonly string _store;
    private readonly string _operation;
    private readonly long _started;
    private readonly Activity? _activity;

    private StoreCall(string store, string operation, Activity? activity)
    {
        (_store, _operation, _activity) = (store, operation, activity);
        _started = Stopwatch.GetTimestamp();
    }

    private static bool Listened => SatchelMetrics.StoreDuration.Enabled || SatchelDiagnostics.Source.HasListeners();

    /// <summary>Calls the store with <paramref name="state"/>, measured when anybody listens.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask<T> Run<TState, T>(string storeName, string operation, SessionKey? key, TState state, Func<TState, ValueTask<T>> call) =>
        Listened ? RunMeasured(storeName, operation, key, state, call) : call(state);

    /// <inheritdoc cref="Run{TState, T}"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ValueTask Run<TState>(string storeName, string operation, SessionKey? key, TState state, Func<TState, ValueTask> call) =>
        Listened ? Untyped(RunMeasured(storeName, operation, key, (state, call), static s => Typed(s.call(s.state)))) : call(state);

    private static ValueTask<T> RunMeasured<TState, T>(string storeName, string operation, SessionKey? key, TState state, Func<TState, ValueTask<T>> call)
    {
        var previous = Activity.Current;
        var measured = Begin(storeName, operation, key);
        ValueTask<T> task;
        try
        {
            task = call(state);
        }
        catch (Exception ex)
        {
            measured.End(ex);
            throw;
        }
        finally
        {
            // The store's work has begun under the span (and keeps it); this request's flow goes back to its own.
            Activity.Current = previous;
        }
        return measured.Measure(task);
    }

    // A store call without a result, measured as one with: only while somebody listens.
    private static async ValueTask<bool> Typed(ValueTask task)
    {
        await task.ConfigureAwait(false);
        return true;
    }

    private static ValueTask Untyped(ValueTask<bool> task) => task.IsCompletedSuccessfully ? default : new ValueTask(task.AsTask());

    private static StoreCall Begin(string storeName, string operation, SessionKey? key)
    {
        var activity = SatchelDiagnostics.Source.StartActivity(SpanName(operation), ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(StoreNameTag, storeName);
            activity.SetTag(OperationTag, operation);
            if (key is { } k) activity.SetTag(SessionIdTag, k.Id);
        }
        return new StoreCall(storeName, operation, activity);
    }

    // Literals, so a traced request builds no name per store call.
    private static string SpanName(string operation) => operation switch
    {
        Load => "satchel.store.load",
        Create => "satchel.store.create",
        Update => "satchel.store.update",
        Delete => "satchel.store.delete",
        Touch => "satchel.store.touch",
        Increment => "satchel.store.increment",
        Replace => "satchel.store.replace",
        Lock => "satchel.store.lock",
        List => "satchel.store.list",
        Revoke => "satchel.store.revoke",
        _ => "satchel.store." + operation,
    };

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
