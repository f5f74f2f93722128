namespace Microsoft.AspNetCore.Builder;

/// <summary>This endpoint only reads its session: it never waits for exclusive holders, and a write throws.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ReadOnlySessionAttribute : Attribute;
