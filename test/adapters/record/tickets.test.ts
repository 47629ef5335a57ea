import { ticketContract } from '../store/contract.js';
import { emptyRecord, onBothDatabases } from './support.js';

// The ticket contract of the memory and Redis stores, unchanged, on PostgreSQL (PGlite and a server).
onBothDatabases('record tickets', (backend) => {
  ticketContract(async () => {
    const store = backend.store();
    await emptyRecord(store);
    return { tickets: store.tickets, close: async () => {} };
  });
});
