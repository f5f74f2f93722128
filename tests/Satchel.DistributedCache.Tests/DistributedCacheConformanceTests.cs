using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Satchel.DistributedCache;
using Satchel.Testing;

namespace Satchel.DistributedCache.Tests;

/// <summary>The IDistributedCache store on ASP.NET Core's MemoryDistributedCache, against the whole store contract.</summary>
public sealed class MemoryDistributedCacheConformanceTests : SessionStoreConformanceTests
{
    protected override ValueTask<ISessionStore> CreateStoreAsync() =>
        new(new DistributedCacheSessionStore(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()))));
}
