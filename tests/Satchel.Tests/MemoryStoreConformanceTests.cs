using Satchel.Testing;

namespace Satchel.Tests;

/// <summary>The memory store against the whole store contract.</summary>
public sealed class MemoryStoreConformanceTests : SessionStoreConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync() => new(new MemorySessionStore());
}
