import { MemoryHoldStore } from '../../src/stores/memory/memory-hold-store.ts';
import { holdStoreContract } from './hold-store.contract.ts';

holdStoreContract('memory', async () => new MemoryHoldStore(), { contenders: 100_000 });
