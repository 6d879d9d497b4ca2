package io.tributary.server.metrics;

import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tributary.apply.Reconciler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's meters and {@code GET /metrics} in Prometheus' text format (docs/metrics.md): the
 * loop's (recorded by the reconciler into {@link #registry()}), the apps' sync and health, the
 * source, webhook deliveries, HTTP requests by route template, and the JVM. Every series starts with
 * {@code tributary_}.
 */
public final class ServiceMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceMetrics.class);
    private static final String PREFIX = "tributary.";
    /** Prometheus' text exposition format, which every scraper reads. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final Duration[] HTTP_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5)};
    private static final List<String> CONDITIONS = List.of("Ready", "Reconciling", "Stalled", "Standby");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<RequestSeries, Timer> requestTimers = new ConcurrentHashMap<>();
    private AppGauges apps;

    public ServiceMetrics() {
        // the JVM's and the process's meters too, under the same prefix as the rest
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().startsWith(PREFIX) ? id : id.withName(PREFIX + id.getName());
            }
        });
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** Where the reconciler and the webhooks record. */
    public MeterRegistry registry() {
        return registry;
    }

    /** The gauges read from the running loop: apps by sync and health (from the store), source, leadership. */
    public void watch(Reconciler reconciler) {
        apps = new AppGauges(registry, reconciler.store());
        Gauge.builder("tributary.leader", reconciler, r -> r.sync().leader() ? 1 : 0)
                .description("1 while this replica holds the leader lock and acts; 0 while it only serves reads")
                .register(registry);
        for (String condition : CONDITIONS) {
            Gauge.builder("tributary.source.condition", reconciler,
                            r -> condition.equals(r.sync().condition()) ? 1 : 0)
                    .description("1 for the config source's current condition (Ready, Reconciling, Stalled, Standby)")
                    .tag("condition", condition)
                    .register(registry);
        }
        Gauge.builder("tributary.source.last.fetch.timestamp", reconciler, r -> epochSeconds(r.sync().lastFetch()))
                .description("When the config source was last fetched successfully (Unix time)")
                .baseUnit("seconds")
                .register(registry);
    }

    private static double epochSeconds(Instant instant) {
        return instant == null ? Double.NaN : instant.toEpochMilli() / 1000.0;
    }

    /**
     * Javalin's request logger: one timing per request, tagged with the route template (never the raw
     * path, so the series stay bounded), the method and the status.
     */
    public void recordRequest(Context ctx, Float millis) {
        Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
        String route = endpoint == null ? "unmatched" : endpoint.path;
        // looked up here rather than through Micrometer's builder, which costs more than the fastest answers
        requestTimers.computeIfAbsent(new RequestSeries(route, ctx.method().name(), ctx.statusCode()),
                        series -> Timer.builder("tributary.http.server.requests")
                                .description("HTTP requests served, by route template, method and status")
                                .tag("route", series.route())
                                .tag("method", series.method())
                                .tag("status", String.valueOf(series.status()))
                                .serviceLevelObjectives(HTTP_BUCKETS)
                                .register(registry))
                .record((long) (millis * 1_000_000.0), TimeUnit.NANOSECONDS);
    }

    private record RequestSeries(String route, String method, int status) {}

    /** {@code GET /metrics}. */
    public void scrape(Context ctx) {
        AppGauges current = apps;
        if (current != null) {
            try {
                current.refresh();
            } catch (RuntimeException e) {
                LOG.warn("metrics: reading the apps' statuses failed; the last counts are served: {}", e.toString());
            }
        }
        ctx.contentType(CONTENT_TYPE).result(registry.scrape());
    }
}
