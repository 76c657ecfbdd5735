import { UsersScreen } from '../users/users-screen';
import { useAccount } from './account-layout';

// The people with a role in this account.
export function AccountUsersPage() {
  const account = useAccount();
  return (
    <UsersScreen
      scope={{ tenantId: account.id, label: account.name, canAdmin: account.canAdmin }}
      intro={
        account.canPartnerManage
          ? `People with a role in ${account.name}. Host users also reach it, because the host manages it.`
          : `People with a role in ${account.name}.`
      }
    />
  );
}
