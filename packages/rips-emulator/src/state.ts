import { createClient, publicClientId, type ClientRecord } from './clients.js';
import type { PasswordHash } from './passwords.js';
import type { TokenStore } from './tokens.js';
import type { UserRecord } from './users.js';

/** An application resource of `/applications`. */
export interface ApplicationRecord {
  id: number;
  name: string;
  ownerId: number;
  createdAtMs: number;
}

/** Settings fixed for the life of one emulator. */
export interface EmulatorSettings {
  clockSkewSteps: number;
  scryptCost: number;
  control: boolean;
}

/** All mutable server state of one emulator: users, clients, tokens, resources and the clock. */
export class EmulatorState {
  readonly usersByEmail = new Map<string, UserRecord>();
  readonly usersById = new Map<number, UserRecord>();
  /** Global and private clients by public id (`<id>_<random_id>`). */
  readonly clients = new Map<string, ClientRecord>();
  readonly globalClients: ClientRecord[];
  readonly applications: ApplicationRecord[] = [];
  /** Offset of the emulator clock from the time source, in milliseconds. */
  clockOffsetMs = 0;
  private nextClientId: number;
  private nextApplicationId = 1;

  constructor(
    users: readonly UserRecord[],
    readonly tokens: TokenStore,
    readonly settings: EmulatorSettings,
    /** Hash that unknown e-mails are checked against, so they cost as much as known ones. */
    readonly decoyHash: PasswordHash,
    private readonly timeSource: () => number,
  ) {
    for (const user of users) {
      this.usersByEmail.set(user.email.toLowerCase(), user);
      this.usersById.set(user.id, user);
    }
    this.globalClients = [
      createClient(1, 'ui-client', undefined),
      createClient(2, 'ci', undefined),
    ];
    for (const client of this.globalClients) {
      this.clients.set(publicClientId(client), client);
    }
    this.nextClientId = this.globalClients.length + 1;
  }

  /** Returns the current time on the emulator clock, in milliseconds. */
  now(): number {
    return this.timeSource() + this.clockOffsetMs;
  }

  /** Finds a user by e-mail, ignoring case. */
  findUser(email: string): UserRecord | undefined {
    return this.usersByEmail.get(email.toLowerCase());
  }

  /** Returns the `{name: client id}` map of global clients. */
  globalClientMap(): Record<string, string> {
    return Object.fromEntries(
      this.globalClients.map((client) => [client.name, publicClientId(client)]),
    );
  }

  /** Creates a private client owned by a user. */
  addClient(
    ownerId: number,
    name: string,
    redirectUris: string[] | undefined,
    allowedGrantTypes: string[] | undefined,
  ): ClientRecord {
    const client = createClient(this.nextClientId, name, ownerId, redirectUris, allowedGrantTypes);
    this.nextClientId += 1;
    this.clients.set(publicClientId(client), client);
    return client;
  }

  /** Returns the private clients of a user, oldest first. */
  clientsOf(ownerId: number): ClientRecord[] {
    return [...this.clients.values()].filter((client) => client.ownerId === ownerId);
  }

  /** Finds a private client by numeric id, only when the user owns it. */
  findOwnClient(ownerId: number, id: number): ClientRecord | undefined {
    return this.clientsOf(ownerId).find((client) => client.id === id);
  }

  /** Deletes a private client and revokes the tokens issued to it. */
  deleteClient(client: ClientRecord): void {
    const clientId = publicClientId(client);
    this.clients.delete(clientId);
    this.tokens.revokeClient(clientId);
  }

  /** Creates an application owned by a user. */
  addApplication(ownerId: number, name: string): ApplicationRecord {
    const application = { id: this.nextApplicationId, name, ownerId, createdAtMs: this.now() };
    this.nextApplicationId += 1;
    this.applications.push(application);
    return application;
  }

  /** Clears every user's MFA attempt window and used time step. */
  resetLimits(): void {
    for (const user of this.usersById.values()) {
      user.mfa.wrongCodeTimes = [];
      user.mfa.lastUsedStep = -1;
    }
  }
}
