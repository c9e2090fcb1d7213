import { randomUUID } from 'node:crypto';
import { ErrorCode } from './protocol';

/**
 * Group coordinator, following Kafka's GroupCoordinator (2.x, JoinGroup v0-v2 so no static members and
 * no MEMBER_ID_REQUIRED round trip):
 *
 *   Empty ──join──▶ PreparingRebalance ──all known members joined / rebalance timeout──▶ CompletingRebalance
 *   CompletingRebalance ──leader's SyncGroup──▶ Stable
 *   Stable / CompletingRebalance ──member joins, leaves, changes metadata or its session expires──▶ PreparingRebalance
 *
 * While a rebalance is prepared, Heartbeat answers REBALANCE_IN_PROGRESS so members re-join; JoinGroup
 * responses are held until every known member has re-joined (or the rebalance timeout removes the
 * ones that did not). The generation then increments, the leader (kept when it re-joined, else the
 * first member) gets every member's metadata, and SyncGroup responses are held until the leader
 * sends the assignment.
 */

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinRequest {
  groupId: string;
  sessionTimeout: number;
  rebalanceTimeout: number;
  memberId: string;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  clientId: string;
  clientHost: string;
}

export interface JoinResult {
  error: number;
  generationId: number;
  protocol: string;
  leaderId: string;
  memberId: string;
  members: Array<{ memberId: string; metadata: Buffer }>;
}

export interface SyncResult {
  error: number;
  assignment: Buffer;
}

export interface CommittedOffset {
  offset: number;
  metadata: string;
}

export interface GroupDescription {
  error: number;
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocol: string;
  members: Array<{ memberId: string; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }>;
}

interface Member {
  memberId: string;
  clientId: string;
  clientHost: string;
  sessionTimeout: number;
  rebalanceTimeout: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  assignment: Buffer;
  lastHeartbeat: number;
  joinWaiters: Array<(r: JoinResult) => void>;
  syncWaiters: Array<(r: SyncResult) => void>;
}

const EMPTY = Buffer.alloc(0);
const MIN_SESSION_TIMEOUT_MS = 1;
const MAX_SESSION_TIMEOUT_MS = 30 * 60_000;

const joinError = (error: number, memberId = ''): JoinResult => ({
  error,
  generationId: -1,
  protocol: '',
  leaderId: '',
  memberId,
  members: [],
});

class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType = '';
  protocol = '';
  leaderId = '';
  readonly members = new Map<string, Member>();
  readonly offsets = new Map<string, Map<number, CommittedOffset>>();
  rebalanceTimer: NodeJS.Timeout | undefined;

  constructor(readonly groupId: string) {}

  /** Protocols every member supports. */
  candidateProtocols(): Set<string> {
    let candidates: Set<string> | undefined;
    for (const m of this.members.values()) {
      const names = new Set(m.protocols.map((p) => p.name));
      candidates = candidates ? new Set([...candidates].filter((n) => names.has(n))) : names;
    }
    return candidates ?? new Set();
  }

  /** Each member votes for its most preferred candidate; the most voted wins (Kafka's rule). */
  selectProtocol(): string {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => candidates.has(p.name));
      if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name;
        bestVotes = count;
      }
    }
    return best;
  }

  supports(protocolType: string, protocols: Array<{ name: string }>): boolean {
    if (protocolType.length === 0 || protocols.length === 0) return false;
    if (this.members.size === 0) return true;
    if (protocolType !== this.protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocols.some((p) => candidates.has(p.name));
  }
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(sessionTimeoutCheckMs: number) {
    this.sweeper = setInterval(() => this.expireSessions(), sessionTimeoutCheckMs);
    this.sweeper.unref();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const group of this.groups.values()) {
      clearTimeout(group.rebalanceTimer);
      for (const m of group.members.values()) {
        for (const w of m.joinWaiters.splice(0)) w(joinError(ErrorCode.REBALANCE_IN_PROGRESS, m.memberId));
        for (const w of m.syncWaiters.splice(0)) w({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      }
    }
  }

  private group(groupId: string, create: boolean): Group | undefined {
    let group = this.groups.get(groupId);
    if (!group && create) {
      group = new Group(groupId);
      this.groups.set(groupId, group);
    }
    return group;
  }

  join(req: JoinRequest): Promise<JoinResult> {
    if (req.groupId.length === 0) return Promise.resolve(joinError(ErrorCode.INVALID_GROUP_ID, req.memberId));
    if (req.sessionTimeout < MIN_SESSION_TIMEOUT_MS || req.sessionTimeout > MAX_SESSION_TIMEOUT_MS) {
      return Promise.resolve(joinError(ErrorCode.INVALID_SESSION_TIMEOUT, req.memberId));
    }
    const group = this.group(req.groupId, req.memberId === '');
    if (!group) return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));
    if (!group.supports(req.protocolType, req.protocols))
      return Promise.resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, req.memberId));
    const existing = group.members.get(req.memberId);
    if (req.memberId !== '' && !existing) return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));

    return new Promise<JoinResult>((resolve) => {
      if (!existing) {
        const memberId = `${req.clientId || 'member'}-${randomUUID()}`;
        const member: Member = {
          memberId,
          clientId: req.clientId,
          clientHost: req.clientHost,
          sessionTimeout: req.sessionTimeout,
          rebalanceTimeout: req.rebalanceTimeout,
          protocolType: req.protocolType,
          protocols: req.protocols,
          assignment: EMPTY,
          lastHeartbeat: Date.now(),
          joinWaiters: [resolve],
          syncWaiters: [],
        };
        if (group.members.size === 0) {
          group.protocolType = req.protocolType;
          group.leaderId = memberId;
        }
        group.members.set(memberId, member);
        if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
        else this.prepareRebalance(group);
        return;
      }

      const member = existing;
      member.lastHeartbeat = Date.now();
      const changed = !sameProtocols(member.protocols, req.protocols);
      member.sessionTimeout = req.sessionTimeout;
      member.rebalanceTimeout = req.rebalanceTimeout;
      member.protocols = req.protocols;
      switch (group.state) {
        case 'PreparingRebalance':
          member.joinWaiters.push(resolve);
          this.tryCompleteJoin(group);
          return;
        case 'CompletingRebalance':
          if (!changed) {
            // The member missed the JoinGroup response: give it the current generation again.
            resolve(this.joinResult(group, member));
            return;
          }
          member.joinWaiters.push(resolve);
          this.prepareRebalance(group);
          return;
        case 'Stable':
          if (member.memberId === group.leaderId || changed) {
            // The leader re-joining (e.g. its subscription changed) or new metadata forces a rebalance.
            member.joinWaiters.push(resolve);
            this.prepareRebalance(group);
          } else {
            resolve(this.joinResult(group, member));
          }
          return;
        default:
          resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, req.memberId));
      }
    });
  }

  sync(
    groupId: string,
    generationId: number,
    memberId: string,
    assignments: Array<{ memberId: string; assignment: Buffer }>,
  ): Promise<SyncResult> {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) return Promise.resolve({ error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (generationId !== group.generationId)
      return Promise.resolve({ error: ErrorCode.ILLEGAL_GENERATION, assignment: EMPTY });
    member.lastHeartbeat = Date.now();
    switch (group.state) {
      case 'PreparingRebalance':
        return Promise.resolve({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      case 'Stable':
        return Promise.resolve({ error: ErrorCode.NONE, assignment: member.assignment });
      case 'CompletingRebalance':
        return new Promise<SyncResult>((resolve) => {
          member.syncWaiters.push(resolve);
          if (memberId !== group.leaderId) return;
          const given = new Map(assignments.map((a) => [a.memberId, a.assignment]));
          for (const m of group.members.values()) m.assignment = given.get(m.memberId) ?? EMPTY;
          group.state = 'Stable';
          for (const m of group.members.values()) {
            m.lastHeartbeat = Date.now();
            for (const w of m.syncWaiters.splice(0)) w({ error: ErrorCode.NONE, assignment: m.assignment });
          }
        });
      default:
        return Promise.resolve({ error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    }
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    member.lastHeartbeat = Date.now();
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leave(groupId: string, memberId: string): number {
    const group = this.groups.get(groupId);
    const member = group?.members.get(memberId);
    if (!group || !member) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(group, member);
    return ErrorCode.NONE;
  }

  /** OffsetCommit: returns a group-level error, or undefined when the offsets may be stored. */
  checkCommit(groupId: string, generationId: number, memberId: string): number {
    const group = this.groups.get(groupId);
    if (generationId < 0 && (!group || group.state === 'Empty')) return ErrorCode.NONE; // "simple" commit, no group membership
    if (!group) return ErrorCode.ILLEGAL_GENERATION;
    const member = group.members.get(memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    member.lastHeartbeat = Date.now();
    return ErrorCode.NONE;
  }

  commit(groupId: string, topic: string, partition: number, offset: CommittedOffset): void {
    const group = this.group(groupId, true)!;
    let byPartition = group.offsets.get(topic);
    if (!byPartition) {
      byPartition = new Map();
      group.offsets.set(topic, byPartition);
    }
    byPartition.set(partition, offset);
  }

  committed(groupId: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(groupId)?.offsets.get(topic)?.get(partition);
  }

  /** Every committed (topic, partition) of a group, for OffsetFetch with a null topic list. */
  committedTopics(groupId: string): Array<{ topic: string; partitions: number[] }> {
    const group = this.groups.get(groupId);
    if (!group) return [];
    return [...group.offsets].map(([topic, parts]) => ({ topic, partitions: [...parts.keys()].sort((a, b) => a - b) }));
  }

  /** A deleted topic takes its committed offsets with it. */
  forgetTopic(topic: string): void {
    for (const group of this.groups.values()) group.offsets.delete(topic);
  }

  describe(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (!group) return { error: ErrorCode.NONE, groupId, state: 'Dead', protocolType: '', protocol: '', members: [] };
    const stable = group.state === 'Stable';
    return {
      error: ErrorCode.NONE,
      groupId,
      state: group.state,
      protocolType: group.protocolType,
      protocol: stable ? group.protocol : '', // Kafka names the protocol only once the group is Stable
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? (m.protocols.find((p) => p.name === group.protocol)?.metadata ?? EMPTY) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  list(): Array<{ groupId: string; protocolType: string }> {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: g.protocolType }));
  }

  delete(groupId: string): number {
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    clearTimeout(group.rebalanceTimer);
    group.state = 'Dead';
    this.groups.delete(groupId);
    return ErrorCode.NONE;
  }

  private joinResult(group: Group, member: Member): JoinResult {
    const isLeader = member.memberId === group.leaderId;
    return {
      error: ErrorCode.NONE,
      generationId: group.generationId,
      protocol: group.protocol,
      leaderId: group.leaderId,
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            metadata: m.protocols.find((p) => p.name === group.protocol)?.metadata ?? EMPTY,
          }))
        : [],
    };
  }

  private prepareRebalance(group: Group): void {
    if (this.closed) return;
    if (group.state === 'CompletingRebalance') {
      for (const m of group.members.values()) {
        m.assignment = EMPTY;
        for (const w of m.syncWaiters.splice(0)) w({ error: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      }
    }
    if (group.state !== 'PreparingRebalance') {
      group.state = 'PreparingRebalance';
      const timeout = Math.max(0, ...[...group.members.values()].map((m) => m.rebalanceTimeout));
      clearTimeout(group.rebalanceTimer);
      group.rebalanceTimer = setTimeout(() => this.onRebalanceTimeout(group), timeout);
      group.rebalanceTimer.unref();
    }
    this.tryCompleteJoin(group);
  }

  private tryCompleteJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    for (const m of group.members.values()) if (m.joinWaiters.length === 0) return;
    this.completeJoin(group);
  }

  private onRebalanceTimeout(group: Group): void {
    if (group.state !== 'PreparingRebalance' || this.groups.get(group.groupId) !== group) return;
    this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = undefined;
    // Members that did not re-join in time are out of the group.
    for (const m of [...group.members.values()]) if (m.joinWaiters.length === 0) group.members.delete(m.memberId);
    group.generationId++;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocol = '';
      group.leaderId = '';
      return;
    }
    group.protocol = group.selectProtocol();
    if (!group.members.has(group.leaderId)) group.leaderId = group.members.keys().next().value!;
    group.state = 'CompletingRebalance';
    const now = Date.now();
    for (const m of group.members.values()) {
      m.assignment = EMPTY;
      m.lastHeartbeat = now;
      const result = this.joinResult(group, m);
      for (const w of m.joinWaiters.splice(0)) w(result);
    }
  }

  private removeMember(group: Group, member: Member): void {
    group.members.delete(member.memberId);
    for (const w of member.joinWaiters.splice(0)) w(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    for (const w of member.syncWaiters.splice(0)) w({ error: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.prepareRebalance(group);
        break;
      case 'PreparingRebalance':
        this.tryCompleteJoin(group);
        break;
      default:
        break;
    }
  }

  private expireSessions(): void {
    const now = Date.now();
    for (const group of this.groups.values()) {
      for (const m of [...group.members.values()]) {
        const waiting = m.joinWaiters.length > 0 || m.syncWaiters.length > 0;
        if (!waiting && now - m.lastHeartbeat > m.sessionTimeout && group.members.get(m.memberId) === m)
          this.removeMember(group, m);
      }
    }
  }
}

function sameProtocols(
  a: Array<{ name: string; metadata: Buffer }>,
  b: Array<{ name: string; metadata: Buffer }>,
): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}
