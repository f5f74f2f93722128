using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Satchel.Tests.Support;

namespace Satchel.Tests;

// Meter and activity listeners hear the whole process: these tests run alone.
[CollectionDefinition("telemetry", DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>The meter and the activity source named Satchel, heard as OpenTelemetry hears them.</summary>
[Collection("telemetry")]
public class TelemetryTests
{
    private sealed record Heard(string Instrument, string? Unit, double Value, Dictionary<string, object?> Tags);

    private static MeterListener Listen(ConcurrentQueue<Heard> heard)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SatchelDiagnostics.MeterName) l.EnableMeasurementEvents(instrument);
            },
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state) where T : struct =>
            heard.Enqueue(new Heard(instrument.Name, instrument.Unit, Convert.ToDouble(value), tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        listener.SetMeasurementEventCallback<long>(Record);
        listener.SetMeasurementEventCallback<double>(Record);
        listener.Start();
        return listener;
    }

    // Records every Satchel span that ends; the test's own request source is sampled too, so Satchel's spans have a parent.
    private static ActivityListener ListenToSpans(ConcurrentQueue<Activity> spans, string? requestSource = null)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == SatchelDiagnostics.ActivitySourceName || s.Name == requestSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.Source.Name == SatchelDiagnostics.ActivitySourceName) spans.Enqueue(a); },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    [Fact]
    public async Task The_meter_counts_sessions_created_regenerated_destroyed_and_expired()
    {
        var heard = new ConcurrentQueue<Heard>();
        using var listener = Listen(heard);
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        await browser.RequestAsync(async s => await s.RegenerateAsync());
        await browser.RequestAsync(s => s.Destroy());
        await setup.NewBrowser().RequestAsync(s => s["b"] = "2");
        setup.Time.Advance(TimeSpan.FromHours(1));
        setup.Memory.SweepExpired();

        double Sum(string name) => heard.Where(h => h.Instrument == name).Sum(h => h.Value);
        Assert.Equal(2, Sum("satchel.session.created"));
        Assert.Equal(1, Sum("satchel.session.regenerated"));
        Assert.Equal(1, Sum("satchel.session.destroyed"));
        Assert.Equal(1, Sum("satchel.session.expired"));
        Assert.All(heard.Where(h => h.Instrument.StartsWith("satchel.session.", StringComparison.Ordinal)), h => Assert.Equal("{session}", h.Unit));
    }

    [Fact]
    public async Task An_expired_session_is_counted_once_when_two_managers_share_its_store()
    {
        var heard = new ConcurrentQueue<Heard>();
        using var listener = Listen(heard);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        using var store = new MemorySessionStore(null, time);
        var options = new SatchelOptions();
        options.Secrets.Add(TestSetup.Secret);
        using var first = new SessionManager(options, store, time);
        using var second = new SessionManager(options, store, time);
        await new CookieJar(first).RequestAsync(s => s["a"] = "1");

        time.Advance(TimeSpan.FromHours(1));   // past the idle timeout; the store's sweep runs
        Assert.Equal(1, heard.Where(h => h.Instrument == "satchel.session.expired").Sum(h => h.Value));
    }

    [Fact]
    public async Task Store_calls_are_timed_by_store_and_operation_in_seconds()
    {
        var heard = new ConcurrentQueue<Heard>();
        using var listener = Listen(heard);
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        await browser.RequestAsync(s => s["a"] = "2");
        await browser.RequestAsync(async s => await s.IncrementAsync("n"));
        await browser.RequestAsync(s => s.Destroy());

        var timed = heard.Where(h => h.Instrument == "satchel.store.operation.duration").ToList();
        Assert.All(timed, h =>
        {
            Assert.Equal("s", h.Unit);
            Assert.Equal("CountingStore", h.Tags["satchel.store.name"]);
            Assert.False(h.Tags.ContainsKey("error.type"));
            Assert.InRange(h.Value, 0, 5);
        });
        // The increment goes to the store before any load; the destroy deletes without one.
        Assert.Equal(["create", "load", "update", "increment", "delete"], timed.Select(h => (string)h.Tags["satchel.store.operation"]!));
    }

    [Fact]
    public async Task A_failed_store_call_is_timed_with_its_error_type()
    {
        var heard = new ConcurrentQueue<Heard>();
        using var listener = Listen(heard);
        var options = new SatchelOptions { StoreFailurePolicy = StoreFailurePolicy.Degrade };
        options.Secrets.Add(TestSetup.Secret);
        var manager = new SessionManager(options, new FailingStore());
        var cookie = new TestSetup().NewBrowser();
        await cookie.RequestAsync(s => s["a"] = "1");
        var session = manager.Open($"sid={cookie.Value}", false);
        await session.LoadAsync();

        var failed = Assert.Single(heard, h => h.Instrument == "satchel.store.operation.duration" && (string?)h.Tags["satchel.store.name"] == nameof(FailingStore));
        Assert.Equal("load", failed.Tags["satchel.store.operation"]);
        Assert.Equal("FailingStore", failed.Tags["satchel.store.name"]);
        Assert.Equal("System.IO.IOException", failed.Tags["error.type"]);
    }

    [Fact]
    public void Live_sessions_are_observed_for_stores_that_count_them()
    {
        var heard = new ConcurrentQueue<Heard>();
        using var listener = Listen(heard);
        var store = new TelemetryCountedStore { Live = 42 };
        using var manager = new SessionManager(new SatchelOptions(), store);
        using var uncounted = new SessionManager(new SatchelOptions(), new FailingStore());

        listener.RecordObservableInstruments();
        var live = Assert.Single(heard, h => h.Instrument == "satchel.session.active" && (string?)h.Tags["satchel.store.name"] == nameof(TelemetryCountedStore));
        Assert.Equal(42, live.Value);
        Assert.DoesNotContain(heard, h => h.Instrument == "satchel.session.active" && (string?)h.Tags["satchel.store.name"] == nameof(FailingStore));
        GC.KeepAlive(store);
    }

    [Fact]
    public async Task Each_store_call_is_a_span_in_the_requests_trace_and_the_request_keeps_its_own_activity()
    {
        using var requests = new ActivitySource("Satchel.Tests.Requests");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = ListenToSpans(spans, requests.Name);
        var setup = new TestSetup();
        var browser = setup.NewBrowser();
        await browser.RequestAsync(s => s["a"] = "1");
        spans.Clear();

        string id;
        using (var request = requests.StartActivity("GET /cart")!)
        {
            var session = browser.Open();
            await session.LoadAsync();
            Assert.Same(request, Activity.Current);   // the store's span ended; the request's flow is its own again
            session["a"] = "2";
            id = session.Id;
            await session.CommitAsync();
            Assert.Same(request, Activity.Current);

            var names = spans.Select(s => s.OperationName).ToList();
            Assert.Equal(["satchel.store.load", "satchel.store.update"], names);
            Assert.All(spans, s =>
            {
                Assert.Equal(request.TraceId, s.TraceId);
                Assert.Equal(request.SpanId, s.ParentSpanId);
                Assert.Equal("CountingStore", s.GetTagItem("satchel.store.name"));
                Assert.Equal(id, s.GetTagItem("satchel.session.id"));
                Assert.Equal(ActivityStatusCode.Unset, s.Status);
            });
        }
    }

    [Fact]
    public async Task A_failed_store_call_is_an_error_span_with_the_stores_message()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = ListenToSpans(spans);
        var manager = new SessionManager(new SatchelOptions { StoreFailurePolicy = StoreFailurePolicy.Degrade }, new FailingStore());
        var session = manager.Open(null, false);
        session["a"] = "1";
        await session.CommitAsync();

        var span = Assert.Single(spans);
        Assert.Equal("satchel.store.create", span.OperationName);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(FailingStore.Error, span.StatusDescription);
        Assert.Equal("System.IO.IOException", span.GetTagItem("error.type"));
    }

    [Fact]
    public async Task A_store_that_throws_before_returning_a_task_is_an_error_span_and_the_request_keeps_its_activity()
    {
        using var requests = new ActivitySource("Satchel.Tests.SyncRequests");
        var spans = new ConcurrentQueue<Activity>();
        using var listener = ListenToSpans(spans, requests.Name);
        var options = new SatchelOptions { StoreFailurePolicy = StoreFailurePolicy.Degrade };
        options.Secrets.Add(TestSetup.Secret);
        var manager = new SessionManager(options, new SynchronouslyFailingStore());
        var cookie = new TestSetup().NewBrowser();
        await cookie.RequestAsync(s => s["a"] = "1");
        spans.Clear();

        using var request = requests.StartActivity("GET /")!;
        var session = manager.Open($"sid={cookie.Value}", false);
        await session.LoadAsync();
        Assert.Same(request, Activity.Current);
        var span = Assert.Single(spans);
        Assert.Equal("satchel.store.load", span.OperationName);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal(typeof(InvalidDataException).FullName, span.GetTagItem("error.type"));
        Assert.Equal(request.SpanId, span.ParentSpanId);
    }

    // SQLite-like: the store does its work before it returns, and so throws before there is a task.
    private sealed class SynchronouslyFailingStore : ISessionStore
    {
        public SessionStoreGuarantees Guarantees => SessionStoreGuarantees.None;

        public ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default) =>
            throw new InvalidDataException("database disk image is malformed");

        public ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default) => throw new InvalidDataException("malformed");

        public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default) => throw new InvalidDataException("malformed");

        public ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default) => throw new InvalidDataException("malformed");
    }

    private sealed class TelemetryCountedStore : ISessionStore, ISessionCounter
    {
        private readonly MemorySessionStore _inner = new();

        public long Live { get; set; }

        public long LiveSessions => Live;

        public SessionStoreGuarantees Guarantees => _inner.Guarantees;

        public ValueTask<SessionRecord?> LoadAsync(SessionKey key, DateTimeOffset now, TimeSpan touchInterval, CancellationToken cancellationToken = default) => _inner.LoadAsync(key, now, touchInterval, cancellationToken);

        public ValueTask CreateAsync(SessionKey key, SessionRecord record, CancellationToken cancellationToken = default) => _inner.CreateAsync(key, record, cancellationToken);

        public ValueTask<bool> UpdateAsync(SessionKey key, SessionChange change, CancellationToken cancellationToken = default) => _inner.UpdateAsync(key, change, cancellationToken);

        public ValueTask DeleteAsync(SessionKey key, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, cancellationToken);
    }
}
