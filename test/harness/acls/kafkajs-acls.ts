// kafkajs's ACL enums. kafkajs is CommonJS and Node's ESM loader does not see these exports by name
// (`import { AclOperationTypes } from 'kafkajs'` fails at run time), so they are taken off the default export.
import kafkajs from 'kafkajs';

export const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;
