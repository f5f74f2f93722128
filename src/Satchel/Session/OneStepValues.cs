namespace Satchel;

/// <summary>
/// A session value changed in one step inside the store (<see cref="Session.IncrementAsync"/>,
/// <see cref="Session.ReplaceJsonAsync"/>): straight to the store before the session loads (one
/// round trip, no load), into the loaded view after it, and an ordinary change on a session the
/// store does not hold yet, which nobody else can see.
/// </summary>
internal static class OneStepValues
{
    public static async ValueTask<long> IncrementAsync(SessionLifecycle life, string key, long by, CancellationToken cancellationToken)
    {
        var oneStep = Capability(life, key);
        if (await OneStepAsync(life, key, oneStep, StoreCall.Increment, (store, session, now) => store.IncrementAsync(session, key, by, now, cancellationToken),
                sum => System.Text.Encoding.UTF8.GetBytes(sum.ToString(System.Globalization.CultureInfo.InvariantCulture)), cancellationToken).ConfigureAwait(false) is { } stored)
            return stored;
        // A session the store does not hold yet: nobody else can see it, so an ordinary change.
        var present = life.Values.TryGet(key, out var current);
        (byte[] json, long value) next;
        try
        {
            next = OneStepValueRules.Increment(key, current, present, by);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
        life.SetOwnedJson(key, next.json);
        return next.value;
    }

    public static async ValueTask<bool> ReplaceJsonAsync(SessionLifecycle life, string key, ReadOnlyMemory<byte>? expectedJson, ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken)
    {
        var oneStep = Capability(life, key);
        SessionJson.EnsureOneValue(key, utf8Json.Span);
        life.Runtime.Limits.Check(key, utf8Json.Length);
        if (await OneStepAsync(life, key, oneStep, StoreCall.Replace, (store, session, now) => store.ReplaceAsync(session, key, expectedJson, utf8Json, now, cancellationToken),
                swap => swap.Current, cancellationToken).ConfigureAwait(false) is { } stored)
            return stored.Replaced;
        var present = life.Values.TryGet(key, out var current);
        if (!OneStepValueRules.Matches(current, present, expectedJson)) return false;
        life.SetOwnedJson(key, utf8Json.ToArray());
        return true;
    }

    // The store's power to change a value in one step, after the checks every such call makes.
    private static ISessionOneStepValues Capability(SessionLifecycle life, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var oneStep = life.Store.GetCapability<ISessionOneStepValues>()
            ?? throw new NotSupportedException($"The session store {life.Runtime.Store.GetType().Name} cannot change a value in one step (it offers no ISessionOneStepValues); use the memory, Redis or SQLite store, or Get and Set under RequireExclusiveSession().");
        life.ThrowIfClosed();
        return oneStep;
    }

    // The path of every one-step change. Not loaded yet: straight to the store, one round trip and
    // no load. Loaded and stored: to the store, and the result into the loaded view (held: the JSON
    // the key now holds). Null when the store holds no such session (none, unknown, ended under
    // us): the caller then makes the change locally, in a session nobody else can see yet.
    private static async ValueTask<T?> OneStepAsync<T>(SessionLifecycle life, string key, ISessionOneStepValues oneStep, string operation, Func<ISessionOneStepValues, SessionKey, DateTimeOffset, ValueTask<T?>> step,
        Func<T, ReadOnlyMemory<byte>?> held, CancellationToken cancellationToken) where T : struct
    {
        if (life.Stands == SessionLifecycle.Phase.Unloaded && life.RequestKey is { } requestKey && await InStoreAsync(life, oneStep, operation, requestKey, key, step, cancellationToken).ConfigureAwait(false) is { } quick) return quick;
        await LoadForAtomicAsync(life, key, cancellationToken).ConfigureAwait(false);
        if (life.Stands != SessionLifecycle.Phase.Stored) return null;
        if (await InStoreAsync(life, oneStep, operation, life.StoredKey, key, step, cancellationToken).ConfigureAwait(false) is { } done)
        {
            life.Values.AdoptStored(key, held(done));
            return done;
        }
        life.EndedUnderUs();
        return null;
    }

    private static async ValueTask<T?> InStoreAsync<T>(SessionLifecycle life, ISessionOneStepValues oneStep, string operation, SessionKey sessionKey, string key, Func<ISessionOneStepValues, SessionKey, DateTimeOffset, ValueTask<T?>> step, CancellationToken cancellationToken) where T : struct
    {
        if (life.Stands == SessionLifecycle.Phase.Unloaded && life.RequestKey is null) return null;
        T? result;
        try
        {
            result = await StoreCall.Run(life.Runtime.StoreName, operation, sessionKey, (step, oneStep, sessionKey, now: life.Runtime.Time.GetUtcNow()),
                static s => s.step(s.oneStep, s.sessionKey, s.now)).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
        catch (Exception ex) when (ex is not SessionStoreException && StoreFailureHandler.IsFailure(ex, cancellationToken))
        {
            life.Fail(ex, "change " + key);
            return null;
        }
        if (result is not null) life.Runtime.Touches.Seen(sessionKey);   // the write moved the expiry
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    private static async ValueTask LoadForAtomicAsync(SessionLifecycle life, string key, CancellationToken cancellationToken)
    {
        await life.LoadAsync(blocking: false, cancellationToken).ConfigureAwait(false);
        if (life.Stands == SessionLifecycle.Phase.Stored && life.Values.HasChange(key))
            throw new InvalidOperationException($"Session value '{key}' was already changed in this request, so a one-step change in the store would be overwritten by the commit. Use one or the other for a key in a request.");
    }
}
