/**
 * The screens the benchmark measures: one GraphQL request each, as a front end sends it. The raw baseline
 * (bench/baseline.ts) answers the same bodies, recognised by operation name, with the same JSON.
 */
export const START_SCREEN = /* GraphQL */ `
  query StartScreen {
    overview {
      contractCount
      openOfferCount
      openClaimCount
      unreadMessageCount
      monthlyPremiumTotal { cents formatted }
      brokerProfile { name phone city }
    }
    contracts(first: 20) {
      nodes {
        id
        contractNumber
        status
        lineOfBusiness
        premium { cents formatted }
        paymentInterval
        insurer { id name }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const INBOX = /* GraphQL */ `
  query Inbox {
    chats(first: 50) {
      nodes {
        id
        lastActivityAt
        unreadCount
        customer { id name }
        lastMessage { id body fromCustomer createdAt }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const CUSTOMER_SEARCH = /* GraphQL */ `
  query CustomerSearch($search: String!) {
    customers(first: 20, search: $search) {
      nodes { id firstName lastName city email }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

export const MESSAGES = /* GraphQL */ `
  query MessagePage($id: ID!) {
    chat(id: $id) {
      id
      messages(first: 50) {
        nodes { id body fromCustomer createdAt author { id name } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`;

export const SEND_MESSAGE = /* GraphQL */ `
  mutation BenchSend($input: SendMessageInput!) {
    sendMessage(input: $input) { message { id createdAt } }
  }
`;

export const REPORT_CLAIM = /* GraphQL */ `
  mutation BenchReport($input: ReportClaimInput!) {
    reportClaim(input: $input) { claim { id number status } }
  }
`;

/** New messages as a staff client shows them; nothing in it depends on which of the firm's CHAT staff reads it. */
export const MESSAGE_ADDED = /* GraphQL */ `
  subscription BenchMessages {
    messageAdded { cursor message { id body createdAt fromCustomer author { id name } chat { id } } }
  }
`;

/** The same with the reader's own unread count (a per-viewer field): executed once per staff user. */
export const MESSAGE_ADDED_PER_VIEWER = /* GraphQL */ `
  subscription BenchMessagesWithUnread {
    messageAdded { cursor message { id body createdAt fromCustomer author { id name } chat { id unreadCount } } }
  }
`;
