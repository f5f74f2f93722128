using System.Diagnostics;

namespace Satchel;

/// <summary>
/// The names Satchel's telemetry goes out under, for OpenTelemetry:
/// <c>.WithMetrics(m =&gt; m.AddMeter(SatchelDiagnostics.MeterName))</c> and
/// <c>.WithTracing(t =&gt; t.AddSource(SatchelDiagnostics.ActivitySourceName))</c>.
/// docs/observability.md lists every instrument, span and attribute.
/// </summary>
public static class SatchelDiagnostics
{
    /// <summary>The meter of Satchel's instruments.</summary>
    public const string MeterName = "Satchel";

    /// <summary>The activity source of Satchel's spans: one per store call, inside the request's trace.</summary>
    public const string ActivitySourceName = "Satchel";

    internal static readonly ActivitySource Source = new(ActivitySourceName, typeof(SatchelDiagnostics).Assembly.GetName().Version?.ToString());
}
