import fs from 'node:fs';
import path from 'node:path';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { GrpcServiceRegistration } from '@agentry/grpc';

/** Where the .proto contracts live in the repository (the image ships them beside the code). */
const PROTO_ROOT = path.resolve(__dirname, '../../../../../proto');

/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha) for the external API, so grpcurl and similar tools can
 * discover it. Built from the .proto sources; returns nothing (and the API works without it) when they are absent.
 */
export function reflectionServices(files: string[]): GrpcServiceRegistration[] {
  if (!files.every((f) => fs.existsSync(path.join(PROTO_ROOT, f)))) return [];
  const definition = loadSync(files, {
    includeDirs: [PROTO_ROOT],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const out: GrpcServiceRegistration[] = [];
  new ReflectionService(definition).addToServer({
    addService: (service, implementation) => {
      const first = Object.values(service)[0] as { path: string };
      out.push({ name: first.path.split('/')[1], definition: service, implementation });
    },
  });
  return out;
}
