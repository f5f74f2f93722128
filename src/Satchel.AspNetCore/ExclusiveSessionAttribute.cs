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
