import type { ReactNode } from 'react';
import './host.css';

// A .card holding a table, with an optional head (row menus open fixed, so scrolling cannot cut them).
export function TableCard({ head, children }: { head?: ReactNode; children: ReactNode }) {
  return (
    <div className="card host-card">
      {head ? <div className="card-head">{head}</div> : null}
      {children}
    </div>
  );
}
