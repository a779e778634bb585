/** The tenancy the admin API manages: organizations, and the mail domains each holds (organization 0 is none). */
export interface Organization { id: number; name: string; description: string; createdAt: string }

export interface Domain { id: number; orgId: number; name: string; title: string; active: boolean; createdAt: string }
