using Microsoft.AspNetCore.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Declares how endpoints use their Satchel session.</summary>
public static class SessionEndpointConventionBuilderExtensions
{
    /// <summary>Requests of these endpoints use their session one at a time (see <see cref="ExclusiveSessionAttribute"/>).</summary>
    public static TBuilder RequireExclusiveSession<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ExclusiveSessionAttribute());

    /// <summary>These endpoints get their session parameter not loaded (see <see cref="LazySessionAttribute"/>).</summary>
    public static TBuilder WithLazySession<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new LazySessionAttribute());

    /// <summary>These endpoints only read their session (see <see cref="ReadOnlySessionAttribute"/>).</summary>
    public static TBuilder WithReadOnlySession<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ReadOnlySessionAttribute());
}
