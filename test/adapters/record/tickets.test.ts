import { describe } from 'vitest';
import { ticketContract } from '../store/contract.js';
import { flowVersionsContract } from './flow-versions-contract.js';
import { emptyRecord, onBothDatabases } from './support.js';

// The ticket contract of the memory and Redis stores, unchanged, on PostgreSQL (PGlite and a server).
onBothDatabases('record tickets', (backend) => {
  ticketContract(async () => {
    const store = backend.store();
    await emptyRecord(store);
    return { tickets: store.tickets, close: async () => {} };
  });
  // Flow versions and the audit log (issue 15), on the same store: a PGlite takes seconds to start.
  describe('flow versions and audit', () => flowVersionsContract(backend));
});
