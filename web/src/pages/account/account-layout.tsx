import { createContext, useContext } from 'react';
import { Outlet, useParams } from 'react-router';
import { type AccountSummary, useAccounts } from '../../accounts';
import { type Level, useSession } from '../../session';
import { EmptyState, ErrorNote, Loading } from '../../ui/layout';

// Every /a/:accountId/* screen renders inside this: it finds the account and the caller's level.

export interface CurrentAccount extends AccountSummary {
  level: Level;
  /** manage or admin: may change pixels, filters, websites, routing. */
  canManage: boolean;
  /** admin: may manage the account's users. */
  canAdmin: boolean;
}

const AccountContext = createContext<CurrentAccount | null>(null);

export function useAccount(): CurrentAccount {
  const account = useContext(AccountContext);
  if (!account) throw new Error('useAccount outside AccountLayout');
  return account;
}

export function AccountLayout() {
  const { accountId = '' } = useParams();
  const session = useSession();
  const { accounts, error, reload } = useAccounts();
  if (error) return <ErrorNote message={error} onRetry={reload} />;
  if (!accounts) return <Loading what="the account" />;
  const found = accounts.find((a) => a.id === accountId);
  const level = found ? session.levelIn(found.id, found.canPartnerManage) : null;
  if (!found || !level) {
    return (
      <EmptyState title="Account not found">
        It does not exist, or it has not been shared with you. Pick another account above.
      </EmptyState>
    );
  }
  const current: CurrentAccount = {
    ...found,
    level,
    canManage: found.canEditTenantSettingsInUI,
    canAdmin: found.canEditTenantUsersInUI,
  };
  return (
    <AccountContext.Provider value={current}>
      <Outlet key={found.id} />
    </AccountContext.Provider>
  );
}
