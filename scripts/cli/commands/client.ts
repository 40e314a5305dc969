import type { Command } from 'commander';
import { createClientService } from '../../../engine/services/client-service.ts';
import type { ContextFactory } from '../program.ts';
import { action } from '../run-action.ts';

export function registerClientCommands(program: Command, contextFor: ContextFactory): void {
  const client = program.command('client').description('clients: the owners of the number lists');

  client
    .command('add')
    .description('register a client (list owner)')
    .argument('<code>', 'short code used in campaign files, e.g. acme-bank')
    .requiredOption('--name <name>', 'the client organisation name')
    .option('--contact <text>', 'who to ask about the lists and approvals')
    .action(
      action(
        contextFor,
        'client.add',
        async (ctx, code: string, opts: { name: string; contact?: string }) => {
          const { db } = await ctx.database();
          const row = await createClientService({ db }).add({ code, ...opts }, ctx.auditActor);
          ctx.out.result(row, () => ctx.out.line(`client ${row.id} "${row.code}" added`));
        },
      ),
    );

  client
    .command('list')
    .description('list clients')
    .action(
      action(contextFor, 'client.read', async (ctx) => {
        const { db } = await ctx.database();
        const rows = await createClientService({ db }).list();
        ctx.out.result(rows, () => ctx.out.table(rows, ['id', 'code', 'name', 'contact', 'created_at']));
      }),
    );
}
