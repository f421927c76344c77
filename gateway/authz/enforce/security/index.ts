// The enforcers of this group, listed for the registry.
import type { AnyEnforcer } from '../enforcer.ts';
import { createAclsEnforcer } from './create-acls.ts';
import { createDelegationTokenEnforcer } from './create-delegation-token.ts';
import { deleteAclsEnforcer } from './delete-acls.ts';
import { describeAclsEnforcer } from './describe-acls.ts';
import { describeDelegationTokenEnforcer } from './describe-delegation-token.ts';
import { expireDelegationTokenEnforcer } from './expire-delegation-token.ts';
import { NO_AUTHORIZATION_ENFORCERS } from './no-authorization.ts';
import { renewDelegationTokenEnforcer } from './renew-delegation-token.ts';

export const SECURITY_ENFORCERS: readonly AnyEnforcer[] = [
  ...NO_AUTHORIZATION_ENFORCERS,
  describeAclsEnforcer,
  createAclsEnforcer,
  deleteAclsEnforcer,
  createDelegationTokenEnforcer,
  renewDelegationTokenEnforcer,
  expireDelegationTokenEnforcer,
  describeDelegationTokenEnforcer,
];
