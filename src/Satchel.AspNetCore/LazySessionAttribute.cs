namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// This endpoint's <see cref="global::Satchel.Session"/> parameter arrives not loaded: for handlers
/// that only count (<c>await session.IncrementAsync(...)</c>, one round trip with no load) or load
/// it themselves (<c>await session.LoadAsync()</c>). Without it, an endpoint that takes a Session
/// gets it loaded first, so reading a value never blocks a thread.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class LazySessionAttribute : Attribute;
