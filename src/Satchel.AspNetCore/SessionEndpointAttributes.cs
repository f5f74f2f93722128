using Microsoft.AspNetCore.Http;
using Satchel;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Requests of this endpoint use their session one at a time (per session), for read-modify-write
/// of one key. The others wait up to <see cref="SatchelOptions.ExclusiveTimeout"/>, then get 503.
/// Costs one lock round trip per request (none on the memory store), and parallel requests of
/// one browser to such endpoints no longer run in parallel.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ExclusiveSessionAttribute : Attribute;

/// <summary>This endpoint only reads its session: it never waits for exclusive holders, and a write throws.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ReadOnlySessionAttribute : Attribute;

/// <summary>Declares how endpoints use their Satchel session.</summary>
public static class SessionEndpointConventionBuilderExtensions
{
    /// <summary>Requests of these endpoints use their session one at a time (see <see cref="ExclusiveSessionAttribute"/>).</summary>
    public static TBuilder RequireExclusiveSession<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ExclusiveSessionAttribute());

    /// <summary>These endpoints only read their session (see <see cref="ReadOnlySessionAttribute"/>).</summary>
    public static TBuilder WithReadOnlySession<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ReadOnlySessionAttribute());
}
