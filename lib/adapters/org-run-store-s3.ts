/**
 * The work files of an organization run on S3, under `<prefix>/runs/<run-id>/` of the report
 * bucket (docs/deploy.md "Organizations"): the run manifest, each shard, the lanes the Distributed
 * Maps read (`shards.json`, `apply-shards.json`), and the plan and result part of every shard.
 * One writer per object: Start writes the manifest and shards, a shard's invocation its own parts.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { jsonChunks } from '../core/json-chunks.js';
import { joinKey } from '../core/report-layout.js';
import type { OrgRunManifest, PlanPart, ResultPart } from '../core/org-run.js';
import type { Lane, Shard, ShardRef } from '../core/org-shards.js';
import type { OrgRunStore } from '../engine/org-ports.js';
import { EcrSweeperError } from '../errors.js';
import { uploadPieces } from './s3-upload.js';

/** A work file could not be read, written or parsed; says which object. */
export class OrgRunStoreError extends EcrSweeperError {}

/** The keys of one run's work files, relative to the bucket. */
export class OrgRunKeys {
  constructor(
    readonly prefix: string,
    readonly runId: string,
  ) {}

  /** `<prefix>/runs/<run-id>`. */
  get root(): string {
    return joinKey(this.prefix, `runs/${this.runId}`);
  }
  get manifest(): string {
    return `${this.root}/run.json`;
  }
  /** The lanes of the planning Map (its ItemReader). */
  get lanes(): string {
    return `${this.root}/shards.json`;
  }
  /** The lanes of the apply Map (its ItemReader), written by RecordPlan. */
  get applyLanes(): string {
    return `${this.root}/apply-shards.json`;
  }
  /** The shared in-use scan (lib/adapters/in-use-cache-s3.ts). */
  get inUseScan(): string {
    return `${this.root}/in-use.json`;
  }
  shard(shardId: string): string {
    return `${this.root}/shards/${shardId}.json`;
  }
  planPart(ref: ShardRef): string {
    return `${this.root}/plans/${ref.targetKey}/${ref.shardId}.json`;
  }
  resultPart(ref: ShardRef): string {
    return `${this.root}/results/${ref.targetKey}/${ref.shardId}.json`;
  }
  checkpoint(ref: ShardRef): string {
    return `${this.root}/checkpoints/${ref.targetKey}/${ref.shardId}.json`;
  }
  journal(ref: ShardRef): string {
    return `${this.root}/journal/${ref.targetKey}/${ref.shardId}`;
  }
}

/** Reads and writes one run's work files. */
export class S3OrgRunStore implements OrgRunStore {
  readonly keys: OrgRunKeys;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    prefix: string,
    runId: string,
  ) {
    this.keys = new OrgRunKeys(prefix, runId);
  }

  get lanesKey(): string {
    return this.keys.lanes;
  }

  get applyLanesKey(): string {
    return this.keys.applyLanes;
  }

  /** `s3://bucket/key`, for messages. */
  uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  writeManifest(manifest: OrgRunManifest): Promise<void> {
    return this.put(this.keys.manifest, manifest);
  }

  async readManifest(): Promise<OrgRunManifest> {
    return this.require(this.keys.manifest);
  }

  /** Every shard to its own object, then the lanes: a lane never names a shard not yet written. */
  async writeShards(shards: readonly Shard[], lanes: readonly Lane[]): Promise<void> {
    for (const shard of shards) await this.put(this.keys.shard(shard.shardId), shard);
    await this.put(this.keys.lanes, lanes);
  }

  readShard(ref: ShardRef): Promise<Shard> {
    return this.require(this.keys.shard(ref.shardId));
  }

  writeApplyLanes(lanes: readonly Lane[]): Promise<void> {
    return this.put(this.keys.applyLanes, lanes);
  }

  /** The apply lanes, or null before RecordPlan wrote them. */
  readApplyLanes(): Promise<Lane[] | null> {
    return this.get(this.keys.applyLanes);
  }

  writePlanPart(part: PlanPart): Promise<void> {
    return this.put(this.keys.planPart(part), part);
  }

  /** The shard's plan part, or null when its invocation wrote none (it failed). */
  readPlanPart(ref: ShardRef): Promise<PlanPart | null> {
    return this.get(this.keys.planPart(ref));
  }

  writeResultPart(part: ResultPart): Promise<void> {
    return this.put(this.keys.resultPart(part), part);
  }

  /** The shard's result part, or null when its invocation wrote none (it failed). */
  readResultPart(ref: ShardRef): Promise<ResultPart | null> {
    return this.get(this.keys.resultPart(ref));
  }

  private async put(key: string, value: unknown): Promise<void> {
    try {
      // JSON.stringify's text, streamed: a shard's plan part holds every image of its repositories.
      await uploadPieces(this.s3, { Bucket: this.bucket, Key: key, ContentType: 'application/json' }, jsonChunks(value, 0));
    } catch (error) {
      throw new OrgRunStoreError(`cannot write ${this.uri(key)}: ${messageOf(error)}`, { cause: error });
    }
  }

  private async require<T>(key: string): Promise<T> {
    const value = await this.get<T>(key);
    if (value === null) throw new OrgRunStoreError(`${this.uri(key)} does not exist: the run's earlier step did not write it`);
    return value;
  }

  private async get<T>(key: string): Promise<T | null> {
    let text: string;
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = (await out.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return null;
      throw new OrgRunStoreError(`cannot read ${this.uri(key)}: ${messageOf(error)}`, { cause: error });
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new OrgRunStoreError(`${this.uri(key)} is not JSON: ${messageOf(error)}`, { cause: error });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
