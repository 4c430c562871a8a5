import { defineRuntimeSuite } from './support/runtime-suite';

defineRuntimeSuite('docker');
