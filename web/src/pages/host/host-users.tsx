import { useSession } from '../../session';
import { EmptyState, Page } from '../../ui/layout';
import { UsersScreen } from '../users/users-screen';

// Host (agency) users: their role reaches every managed account. Host admins only.
export function HostUsersPage() {
  const session = useSession();
  if (session.hostLevel !== 'admin') {
    return (
      <Page title="Users">
        <EmptyState title="Host admins only">Ask a host admin if you need to invite someone.</EmptyState>
      </Page>
    );
  }
  return (
    <UsersScreen
      scope={{ tenantId: null, label: 'the host', canAdmin: true }}
      intro="People with a host role reach every managed account. Unmanaged accounts invite their own users."
    />
  );
}
