import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { gql } from './api';

// The accounts the signed-in person can see, for the account selector and role checks.

export interface AccountSummary {
  id: string;
  name: string;
  /** 0 Active, 1 Setup in progress, 2 Deactivated */
  status: number;
  canPartnerManage: boolean;
  canEditTenantSettingsInUI: boolean;
  canEditTenantUsersInUI: boolean;
}

interface AccountsState {
  accounts: AccountSummary[] | undefined;
  error: string | null;
  reload(): Promise<void>;
}

const AccountsContext = createContext<AccountsState>({ accounts: undefined, error: null, reload: async () => {} });

export const ACCOUNT_SUMMARY_FIELDS =
  'id name status canPartnerManage canEditTenantSettingsInUI canEditTenantUsersInUI';

export function AccountsProvider({ children }: { children: ReactNode }) {
  const [accounts, setAccounts] = useState<AccountSummary[] | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(async () => {
    try {
      const data = await gql<{ tenants: AccountSummary[] }>(
        'hub',
        `query Accounts { tenants { ${ACCOUNT_SUMMARY_FIELDS} } }`,
      );
      setAccounts(data.tenants);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return <AccountsContext.Provider value={{ accounts, error, reload }}>{children}</AccountsContext.Provider>;
}

export function useAccounts(): AccountsState {
  return useContext(AccountsContext);
}
