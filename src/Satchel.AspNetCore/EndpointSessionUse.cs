using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;

namespace Satchel.AspNetCore;

/// <summary>
/// What each endpoint does with its session, read once from its metadata (a <see cref="Session"/>
/// parameter, <c>WithLazySession</c>, <c>RequireExclusiveSession</c>, <c>WithReadOnlySession</c>)
/// and learned from its requests (<see cref="LoadFirst"/>). One per middleware.
/// </summary>
internal sealed class EndpointSessionUse
{
    private readonly ConcurrentDictionary<Endpoint, SessionUse> _uses = new();

    public SessionUse Of(HttpContext context) => context.GetEndpoint() is { } endpoint ? Of(endpoint) : SessionUse.None;

    /// <summary>
    /// The request is about to load its session with a thread waiting on the store: its endpoint
    /// used the session before anything loaded it (<c>HttpContext.Session</c> without
    /// <c>LoadAsync</c>, as code written for ASP.NET Core's session does). From now on the
    /// endpoint's session loads before it, with await: many such waits at once would starve the
    /// pool, since on Linux the store's reply needs a pool thread too. Marked before this request
    /// waits, so requests arriving meanwhile already load first; not where it asked to load lazily.
    /// </summary>
    public void LoadFirst(HttpContext context)
    {
        if (context.GetEndpoint() is not { } endpoint) return;
        var use = Of(endpoint);
        if ((use & (SessionUse.Lazy | SessionUse.Preload)) == 0) _uses[endpoint] = use | SessionUse.Preload;
    }

    private SessionUse Of(Endpoint endpoint) =>
        _uses.GetOrAdd(endpoint, static e =>
            (e.Metadata.GetMetadata<MethodInfo>()?.GetParameters().Any(p => p.ParameterType == typeof(Session)) == true ? SessionUse.Parameter : SessionUse.None)
            | (e.Metadata.GetMetadata<LazySessionAttribute>() is not null ? SessionUse.Lazy : SessionUse.None)
            | (e.Metadata.GetMetadata<ExclusiveSessionAttribute>() is not null ? SessionUse.Exclusive : SessionUse.None)
            | (e.Metadata.GetMetadata<ReadOnlySessionAttribute>() is not null ? SessionUse.ReadOnly : SessionUse.None));
}

[Flags]
internal enum SessionUse
{
    None = 0,
    Parameter = 1,
    Exclusive = 2,
    ReadOnly = 4,
    Lazy = 8,
    Preload = 16,   // learned: the endpoint uses its session without loading it first
}
