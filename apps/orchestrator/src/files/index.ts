export { sftpErrorCodeOf, type SftpErrorCode } from './file-errors';
export { SiteFolder, type FolderOwner, type OpenFlags, type SiteFolderOptions, type WatchableDir } from './site-folder';
export { SiteFolderProvider, type SiteFolderProviderOptions } from './site-folder-provider';
export { normalizeSitePath, parseSitePath } from './site-path';
export { archiveFolder, type ArchiveLimits, type FolderArchive } from './folder-archive';
export { openReadStream, writeFromStream, type FileDownload, type UploadOptions } from './file-transfer';
export { storeFormUpload, type FormUploadOptions } from './form-upload';
export { packSiteFolder } from './site-backup-pack';
export { restoreSiteFolder } from './site-backup-extract';
