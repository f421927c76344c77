// The enforcers of this group, listed for the registry.
import type { AnyEnforcer } from '../enforcer.ts';
import { addOffsetsToTxnEnforcer } from './add-offsets-to-txn.ts';
import { addPartitionsToTxnEnforcer } from './add-partitions-to-txn.ts';
import { describeTransactionsEnforcer } from './describe-transactions.ts';
import { endTxnEnforcer } from './end-txn.ts';
import { initProducerIdEnforcer } from './init-producer-id.ts';
import { listTransactionsEnforcer } from './list-transactions.ts';
import { txnOffsetCommitEnforcer } from './txn-offset-commit.ts';
import { writeTxnMarkersEnforcer } from './write-txn-markers.ts';

export const TRANSACTIONS_ENFORCERS: readonly AnyEnforcer[] = [
  initProducerIdEnforcer,
  addPartitionsToTxnEnforcer,
  addOffsetsToTxnEnforcer,
  endTxnEnforcer,
  writeTxnMarkersEnforcer,
  txnOffsetCommitEnforcer,
  describeTransactionsEnforcer,
  listTransactionsEnforcer,
];
