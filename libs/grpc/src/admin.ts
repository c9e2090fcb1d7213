import { DomainError } from '@agentry/kernel';
import { adminV1 } from '@agentry/proto-ts';
import type { GrpcServiceRegistration } from './server';
import { implement } from './server';

/**
 * The role the gateway adds to the caller of a platform admin (a user token of a user marked platformAdmin) on
 * AdminService calls. Tenant roles (owner, admin, member, ...) never grant it.
 */
export const PLATFORM_ADMIN_ROLE = 'platform:admin';

export interface RebuiltReadModel {
  readModel: string;
  events: number;
}

export interface AdminHooks {
  /** Drop the service's in-memory read models and fold them again from the event log. */
  rebuild?: () => Promise<RebuiltReadModel[]>;
  /** Called when a drain starts: stop taking new work (refuse it, stop leasing or claiming). */
  onDrain?: () => void | Promise<void>;
  /** Called when a drain ends: take new work again. */
  onResume?: () => void | Promise<void>;
  /** Work still running that a drain waits for; default: the calls tracked with `track`. */
  inFlight?: () => number;
}

export interface DrainState {
  service: string;
  draining: boolean;
  since?: string;
  inFlight: number;
  drained: boolean;
}

/**
 * A service's drain switch and AdminService (issue #6). The service asks `admit(what)` before taking new work
 * (UNAVAILABLE while draining) and may `track` work in flight; a drain is drained once nothing is in flight.
 */
export class ServiceAdmin {
  private since?: string;
  private tracked = 0;

  constructor(
    readonly service: string,
    private readonly hooks: AdminHooks = {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  get draining(): boolean {
    return this.since !== undefined;
  }

  /** Refuses new work while draining (UNAVAILABLE: a client may retry on another replica or after the upgrade). */
  admit(what: string): void {
    if (this.draining)
      throw new DomainError('UNAVAILABLE', `the ${this.service} service is draining and takes no new ${what}; retry on another replica or after the upgrade`, {
        reason: 'SERVICE_DRAINING',
        service: this.service,
      });
  }

  /** Counts work in flight until the returned function is called (once). */
  track(): () => void {
    this.tracked++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.tracked--;
    };
  }

  /** admit + track around one piece of new work. */
  async run<T>(what: string, work: () => Promise<T>): Promise<T> {
    this.admit(what);
    const done = this.track();
    try {
      return await work();
    } finally {
      done();
    }
  }

  async drain(): Promise<DrainState> {
    if (!this.draining) {
      this.since = this.now().toISOString();
      await this.hooks.onDrain?.();
    }
    return this.status();
  }

  async resume(): Promise<DrainState> {
    if (this.draining) {
      this.since = undefined;
      await this.hooks.onResume?.();
    }
    return this.status();
  }

  status(): DrainState {
    const inFlight = Math.max(0, this.hooks.inFlight ? this.hooks.inFlight() : this.tracked);
    return { service: this.service, draining: this.draining, since: this.since, inFlight, drained: this.draining && inFlight === 0 };
  }

  async rebuild(): Promise<RebuiltReadModel[]> {
    return this.hooks.rebuild ? this.hooks.rebuild() : [];
  }

  /** The AdminService registration for startGrpcServer. */
  registration(): GrpcServiceRegistration {
    const wire = (s: DrainState): adminV1.DrainStatus => ({ ...s, since: s.since ?? '' });
    return {
      name: 'agentry.admin.v1.AdminService',
      definition: adminV1.AdminServiceService,
      implementation: implement(`${this.service}-admin`, adminV1.AdminServiceService, {
        drain: async (req) => (requirePlatformAdmin(req.caller), { status: wire(await this.drain()) }),
        resume: async (req) => (requirePlatformAdmin(req.caller), { status: wire(await this.resume()) }),
        getStatus: async (req) => (requirePlatformAdmin(req.caller), { status: wire(this.status()) }),
        rebuildReadModels: async (req) => {
          requirePlatformAdmin(req.caller);
          return { service: this.service, rebuilt: await this.rebuild() };
        },
      }),
    };
  }
}

/** AdminService calls are for platform admins only, whatever their tenant role. */
export function requirePlatformAdmin(caller: { tenantId: string; userId: string; roles?: string[] } | undefined): void {
  if (!caller?.userId) throw new DomainError('UNAUTHENTICATED', 'the call carries no caller');
  if (!(caller.roles ?? []).includes(PLATFORM_ADMIN_ROLE)) throw new DomainError('PERMISSION_DENIED', 'only platform admins may administer a service');
}

/** Counts the events of some categories in the log (what a rebuild from those categories folds). */
export async function countEvents(
  events: { readAll(options: { after?: number; limit?: number; categories?: string[] }): Promise<Array<{ globalPosition: number }>> },
  categories: string[],
): Promise<number> {
  let after = 0;
  let count = 0;
  for (;;) {
    const page = await events.readAll({ after, limit: 1000, categories });
    count += page.length;
    if (page.length < 1000) return count;
    after = page[page.length - 1].globalPosition;
  }
}
