/**
 * Imported first by libs/runtime so that tracing (OTEL_EXPORTER_OTLP_ENDPOINT) and Sentry (SENTRY_DSN) are set
 * up before @grpc/grpc-js and express load: instrumentation patches modules as they are required.
 */
import { initSentry } from './sentry';
import { initTelemetry } from './tracing';

// embedded mode (no AGENTRY_SERVICE): service.name agentry-embedded
const serviceName = process.env.AGENTRY_SERVICE ?? 'embedded';
initTelemetry({ serviceName });
initSentry({ serviceName });
