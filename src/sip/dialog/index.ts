export { Dialog, dialogKey, uriOfNameAddr, type DialogId, type DialogPhase, type DialogRole, type InDialogRequestOptions, type RequestDraft } from './dialog.ts';
